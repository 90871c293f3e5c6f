import { z } from "zod";
import { text, ZInstant } from "#platform/fields/fields.ts";
import { routeMeta } from "#platform/meta.ts";
import { auditList } from "./audit.service.ts";

/** The REST route of each procedure. */
export const auditRoutes = {
  list: routeMeta(["admin"])("GET", "/admin/audit", "The security audit trail (admin)", {
    description:
      "Filters by actor, action, target, patient and time range (`from` inclusive, `to` exclusive); newest first.",
  }),
};

export const ZAuditEventDto = z.object({
  id: z.number().int(),
  occurredAt: z.date(),
  actorId: z.uuid().nullable(),
  actorRole: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.uuid().nullable(),
  /** The patient whose health information the event touched. */
  patientId: z.uuid().nullable(),
  /** The ids a list read returned. */
  resourceIds: z.array(z.uuid()).nullable(),
  outcome: z.enum(["SUCCESS", "FAILURE", "DENIED"]),
  requestId: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).nullable(),
});

export const ZListAuditInput = auditList.input.extend({
  actorId: z.uuid().optional(),
  action: text(60, { min: 1, trim: false }).optional(),
  targetId: z.uuid().optional(),
  patientId: z.uuid().optional(),
  from: ZInstant.optional(),
  to: ZInstant.optional(),
});
