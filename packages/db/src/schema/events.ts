import { sql } from "drizzle-orm";
import { pgTable, primaryKey, uniqueIndex } from "drizzle-orm/pg-core";
import { id, ref, timestamptz, xid8 } from "./columns.ts";

/**
 * The transactional outbox: a change and its domain events commit or vanish together. Readers
 * resume from a position `(txId, seq)` and only read rows whose transaction is older than every
 * transaction still in progress (`pg_snapshot_xmin`), so an event that commits late is never
 * skipped by a reader that already moved past a later `seq` (decision record 0009).
 */
export const domainEvents = pgTable(
  "domain_events",
  (t) => ({
    /** Consumers are idempotent on this id. */
    id: id(),
    seq: t.bigint({ mode: "number" }).notNull().generatedAlwaysAsIdentity(),
    txId: xid8().notNull().default(sql`pg_current_xact_id()`),
    type: t.varchar({ length: 80 }).notNull(),
    /** The user who caused it (null for system work). */
    actorId: t.uuid(),
    /** The ids the event concerns plus a version: never whole records. */
    payload: t.jsonb().notNull().$type<Record<string, unknown>>(),
    occurredAt: timestamptz().notNull().defaultNow(),
  }),
  (t) => [uniqueIndex("domain_events_position").on(t.txId, t.seq)],
);

/** Which consumer has processed which event: the insert that claims it is the "exactly once". */
export const processedEvents = pgTable(
  "processed_events",
  (t) => ({
    consumer: t.varchar({ length: 80 }).notNull(),
    eventId: ref(() => domainEvents.id),
    processedAt: timestamptz().notNull().defaultNow(),
  }),
  (t) => [primaryKey({ columns: [t.consumer, t.eventId] })],
);

/**
 * Where each ordered outbox consumer stands: the position of the last event it processed, moved in
 * the transaction that claims the event, so a consumer that stops resumes after what it committed.
 */
export const outboxConsumers = pgTable("outbox_consumers", (t) => ({
  name: t.varchar({ length: 80 }).primaryKey(),
  txId: xid8().notNull(),
  seq: t.bigint({ mode: "number" }).notNull(),
  updatedAt: timestamptz().notNull().defaultNow(),
}));

export type DomainEventRow = typeof domainEvents.$inferSelect;
