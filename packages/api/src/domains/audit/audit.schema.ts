import { z } from "zod";
import { text, ZInstant, ZTimestamp } from "#platform/fields/fields.ts";
import { routeMeta } from "#platform/meta.ts";
import { named } from "#platform/named.ts";
import { auditList } from "./audit.service.ts";

/** The REST route of each procedure. */
export const auditRoutes = {
  list: routeMeta(["admin"])("GET", "/admin/audit", "The security audit trail (admin)", {
    description:
      "Filters by actor, action, target, patient and time range (`from` inclusive, `to` exclusive); newest first.",
  }),
};

/**
 * An identity column: a trillion events is beyond any deployment, and ids stay exact in every
 * JSON client well below 2^53.
 */
const MAX_AUDIT_ID = 1e15;

export const ZAuditEventDto = named(
  z.object({
    id: z.number().int().min(1).max(MAX_AUDIT_ID),
    occurredAt: ZTimestamp,
    actorId: z.uuid().nullable(),
    actorRole: z.string().nullable(),
    action: z.string().meta({ description: "What happened, e.g. `patient.read`, `auth.login`" }),
    targetType: z.string().nullable(),
    targetId: z.uuid().nullable(),
    patientId: z
      .uuid()
      .nullable()
      .meta({ description: "The patient whose health information the event touched" }),
    resourceIds: z.array(z.uuid()).nullable().meta({ description: "The ids a list read returned" }),
    outcome: z.enum(["SUCCESS", "FAILURE", "DENIED"]),
    requestId: z.string().nullable(),
    ip: z.string().nullable(),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).nullable(),
  }),
  "AuditEntry",
  {
    description: "One event of the security audit trail",
    example: {
      id: 1842,
      occurredAt: new Date("2026-12-01T08:30:00.000Z"),
      actorId: "6f4b8e1d-3c7a-4f2e-9a5b-1d8c6e2f4a37",
      actorRole: "PATIENT",
      action: "patient.read",
      targetType: "patient",
      targetId: "3a9d6f2c-7e1b-4c5a-8d4f-6b2e9a1c7d05",
      patientId: "3a9d6f2c-7e1b-4c5a-8d4f-6b2e9a1c7d05",
      resourceIds: null,
      outcome: "SUCCESS",
      requestId: "b7e4c2a9-1d3f-4e6a-8c5b-2f9d7a1e4c36",
      ip: "192.0.2.10",
      details: null,
    },
  },
);

// Each filter is described before `.optional()`: the REST generator rebuilds optional query wrappers.
export const ZListAuditInput = auditList.input.extend({
  actorId: z.uuid().meta({ description: "Events of this account" }).optional(),
  action: text(60, { min: 1, trim: false })
    .meta({ description: "Events of this action, exactly" })
    .optional(),
  targetId: z.uuid().meta({ description: "Events about this row" }).optional(),
  patientId: z
    .uuid()
    .meta({ description: "Events that touched this patient's health information" })
    .optional(),
  from: ZInstant.meta({ description: "Events at or after this instant (ISO 8601)" }).optional(),
  to: ZInstant.meta({ description: "Events before this instant (ISO 8601)" }).optional(),
});
