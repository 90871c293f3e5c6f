import { z } from "zod";
import { text, ZInstant, ZTimestamp } from "#platform/fields/fields.ts";
import { routeMeta } from "#platform/meta.ts";
import { named } from "#platform/named.ts";
import { auditList } from "./audit.service.ts";
import { BROKEN_LINK_REASONS } from "./verify.service.ts";

const route = routeMeta(["admin"]);

/** The REST route of each procedure. */
export const auditRoutes = {
  list: route("GET", "/admin/audit", "The security audit trail (admin)", {
    description:
      "Filters by actor, action, target, patient and time range (`from` inclusive, `to` exclusive); newest first.",
  }),
  verify: route("GET", "/admin/audit/verify", "Check the audit trail's hash chain (admin)", {
    description:
      "Recomputes the chain from its first link and reports the first one that does not hold " +
      "(an edited or deleted event, a deleted link, a rewritten or truncated chain), the events not " +
      "sealed yet, and the newest anchor: compare it with the newest `audit chain sealed` line of " +
      "the log kept outside the database, or pass that line's `eventCount` and `headHash` to have " +
      "the chain checked against it. Reads the whole chain, in batches. Audited.",
  }),
};

/**
 * An identity column: a trillion events is beyond any deployment, and ids stay exact in every
 * JSON client well below 2^53.
 */
export const MAX_AUDIT_ID = 1e15;
const ZAuditId = z.number().int().min(1).max(MAX_AUDIT_ID);
const ZAuditCount = z.number().int().min(0).max(MAX_AUDIT_ID);
const ZHash = z.string().regex(/^[0-9a-f]{64}$/);

export const ZAuditEventDto = named(
  z.object({
    id: ZAuditId,
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

export const ZAuditAnchor = named(
  z.object({
    id: ZAuditId,
    eventCount: ZAuditCount.meta({ description: "Events in the chain up to this anchor" }),
    headEventId: ZAuditId.meta({ description: "The audit event of the chain's last link" }),
    headHash: ZHash.meta({ description: "The last link's SHA-256, lower-case hex" }),
    sealedAt: ZTimestamp,
  }),
  "AuditAnchor",
  {
    description: "The chain's head after one sealing, as the database and the log recorded it",
    example: {
      id: 311,
      eventCount: 1842,
      headEventId: 1845,
      headHash: "9f2c4e7a1b3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8",
      sealedAt: new Date("2026-12-01T08:30:01.000Z"),
    },
  },
);

export const ZAuditVerification = named(
  z.object({
    ok: z.boolean().meta({ description: "True when every link, anchor and sealed event holds" }),
    checkedRows: ZAuditCount.meta({ description: "Links recomputed and found intact" }),
    firstBrokenLink: z
      .object({
        seq: ZAuditId.nullable().meta({
          description: "The chain position (null: an event outside the chain)",
        }),
        eventId: ZAuditId.nullable().meta({ description: "The audit event concerned, when known" }),
        reason: z.enum(BROKEN_LINK_REASONS).meta({
          description:
            "LINK_MISSING: a link was deleted; EVENT_MISSING: its event was deleted; EVENT_ALTERED: " +
            "the event was edited; ANCHOR_MISMATCH: the chain was rewritten before this anchor; " +
            "CHAIN_TRUNCATED: the newest links were deleted; ANCHOR_MISSING: the newest anchors " +
            "were deleted; EVENT_NOT_SEALED: an event was inserted behind the chain's head",
        }),
      })
      .nullable()
      .meta({ description: "Where the walk from the first link stopped; null when the chain holds" }),
    unsealedBacklog: ZAuditCount.meta({
      description: "Events not chained yet (the sealer runs every second or so)",
    }),
    oldestUnsealedAt: ZTimestamp.nullable().meta({
      description: "When the oldest of them happened: a growing age means the sealer is not running",
    }),
    lastAnchor: ZAuditAnchor.nullable(),
  }),
  "AuditVerification",
  {
    description: "The audit trail's tamper check",
    example: {
      ok: false,
      checkedRows: 1203,
      firstBrokenLink: { seq: 1204, eventId: 1207, reason: "EVENT_ALTERED" },
      unsealedBacklog: 3,
      oldestUnsealedAt: new Date("2026-12-01T08:30:01.420Z"),
      lastAnchor: {
        id: 311,
        eventCount: 1842,
        headEventId: 1845,
        headHash: "9f2c4e7a1b3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8",
        sealedAt: new Date("2026-12-01T08:30:01.000Z"),
      },
    },
  },
);

export const ZVerifyAuditInput = z
  .strictObject({
    eventCount: ZAuditId.meta({
      description: "An anchor from the log (`auditAnchor.eventCount`): the chain must still hold it",
    }).optional(),
    headHash: ZHash.meta({ description: "That anchor's `auditAnchor.headHash`" }).optional(),
  })
  .refine((input) => (input.eventCount === undefined) === (input.headHash === undefined), {
    message: "eventCount and headHash name one logged anchor: give both or neither",
    path: ["headHash"],
  });

/** The logged anchor of a verification request, when it names one. */
export function loggedAnchorOf(input: z.output<typeof ZVerifyAuditInput>) {
  const { eventCount, headHash } = input;
  return eventCount === undefined || headHash === undefined ? undefined : { eventCount, headHash };
}
