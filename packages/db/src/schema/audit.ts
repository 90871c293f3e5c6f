import { index, pgTable } from "drizzle-orm/pg-core";
import { timestamptz } from "./columns.ts";

export const AUDIT_OUTCOMES = ["SUCCESS", "FAILURE", "DENIED"] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * Append-only in the database itself: a trigger (drizzle/0002) refuses UPDATE, DELETE and
 * TRUNCATE. `details` holds small, non-secret facts (a reason, a changed field's name), never a
 * token, a password or clinical text. `patientId` names the patient whose health information the
 * event touched (PHI access reports filter on it); `resourceIds` lists what a list read returned.
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
  }),
  (t) => [
    index("audit_events_time").on(t.occurredAt, t.id),
    index("audit_events_actor_time").on(t.actorId, t.occurredAt),
    index("audit_events_target_time").on(t.targetId, t.occurredAt),
    index("audit_events_action_time").on(t.action, t.occurredAt),
    index("audit_events_patient_time").on(t.patientId, t.occurredAt),
  ],
);

export type AuditEvent = typeof auditEvents.$inferSelect;
export type NewAuditEvent = typeof auditEvents.$inferInsert;
