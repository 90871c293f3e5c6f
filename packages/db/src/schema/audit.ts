import { sql } from "drizzle-orm";
import { index, pgTable, uniqueIndex } from "drizzle-orm/pg-core";
import { timestamptz, xid8 } from "./columns.ts";

export const AUDIT_OUTCOMES = ["SUCCESS", "FAILURE", "DENIED"] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * Append-only in the database itself: a trigger (drizzle/0002) refuses UPDATE, DELETE and
 * TRUNCATE. `details` holds small, non-secret facts (a reason, a changed field's name), never a
 * token, a password or clinical text. `patientId` names the patient whose health information the
 * event touched (PHI access reports filter on it); `resourceIds` lists what a list read returned.
 * `txId` is the writing transaction: the sealer chains rows in `(txId, id)` order and only once
 * every older transaction has ended, so a late commit is never skipped (decision record 0026).
 */
export const auditEvents = pgTable(
  "audit_events",
  (t) => ({
    id: t.bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    occurredAt: timestamptz().notNull().defaultNow(),
    actorId: t.uuid(),
    actorRole: t.varchar({ length: 20 }),
    action: t.varchar({ length: 60 }).notNull(),
    targetType: t.varchar({ length: 40 }),
    targetId: t.uuid(),
    patientId: t.uuid(),
    resourceIds: t.uuid().array(),
    outcome: t.varchar({ length: 10 }).notNull().$type<AuditOutcome>(),
    requestId: t.varchar({ length: 64 }),
    ip: t.varchar({ length: 45 }),
    details: t.jsonb().$type<Record<string, string | number | boolean | null>>(),
    txId: xid8().notNull().default(sql`pg_current_xact_id()`),
  }),
  (t) => [
    index("audit_events_time").on(t.occurredAt, t.id),
    index("audit_events_actor_time").on(t.actorId, t.occurredAt),
    index("audit_events_target_time").on(t.targetId, t.occurredAt),
    index("audit_events_action_time").on(t.action, t.occurredAt),
    index("audit_events_patient_time").on(t.patientId, t.occurredAt),
    // The sealer's position: the rows after the chain's head, in the order they are chained.
    index("audit_events_position").on(t.txId, t.id),
  ],
);

export type AuditEvent = typeof auditEvents.$inferSelect;
export type NewAuditEvent = typeof auditEvents.$inferInsert;

/**
 * The hash chain over `audit_events` (decision record 0026): link `seq` (1, 2, …) seals event
 * `eventId` with `hash` = SHA-256 of the previous link's hash, `seq` and the event's canonical
 * form. Written only by the sealer; append-only by trigger like the events themselves.
 */
export const auditChain = pgTable(
  "audit_chain",
  (t) => ({
    seq: t.bigint({ mode: "number" }).primaryKey(),
    eventId: t.bigint({ mode: "number" }).notNull(),
    /** Lower-case hex. */
    hash: t.char({ length: 64 }).notNull(),
  }),
  (t) => [uniqueIndex("audit_chain_event").on(t.eventId)],
);

/**
 * One row per sealing transaction: the chain's head after it (`eventCount` links, the last one
 * sealing `headEventId` with `headHash`). The same facts go to the log, so an operator holds a
 * copy the database's superuser cannot rewrite: deleting the newest events and links shows as an
 * anchor (or a log line) past the chain's end. `headTxId` is where the next sealing resumes.
 */
export const auditAnchors = pgTable(
  "audit_anchors",
  (t) => ({
    id: t.bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    eventCount: t.bigint({ mode: "number" }).notNull(),
    headEventId: t.bigint({ mode: "number" }).notNull(),
    headTxId: xid8().notNull(),
    /** Lower-case hex. */
    headHash: t.char({ length: 64 }).notNull(),
    /** Links this sealing added. */
    sealedRows: t.integer().notNull(),
    sealedAt: timestamptz().notNull().defaultNow(),
  }),
  (t) => [uniqueIndex("audit_anchors_event_count").on(t.eventCount)],
);

export type AuditChainLink = typeof auditChain.$inferSelect;
export type AuditAnchor = typeof auditAnchors.$inferSelect;
