import type { Executor } from "@medical/db";
import { type DomainEventRow, domainEvents, processedEvents } from "@medical/db/schema";
import { asc, sql } from "drizzle-orm";

/** Where a reader stands in the outbox: the last event it read, by transaction id then sequence. */
export interface OutboxPosition {
  txId: string;
  seq: number;
}

export const OUTBOX_START: OutboxPosition = { txId: "0", seq: 0 };

/**
 * Events after `position`, in commit-safe order. Only transactions older than every one still in
 * progress are read, so an event whose transaction took an earlier `seq` but commits later is
 * read after the wait, never skipped.
 */
export async function readOutbox(
  db: Executor,
  position: OutboxPosition,
  limit: number,
): Promise<DomainEventRow[]> {
  return db
    .select()
    .from(domainEvents)
    .where(
      sql`(${domainEvents.txId}, ${domainEvents.seq}) > (${position.txId}::xid8, ${position.seq})
        and ${domainEvents.txId} < pg_snapshot_xmin(pg_current_snapshot())`,
    )
    .orderBy(asc(domainEvents.txId), asc(domainEvents.seq))
    .limit(limit);
}

export const positionOf = (event: Pick<DomainEventRow, "txId" | "seq">): OutboxPosition => ({
  txId: event.txId,
  seq: event.seq,
});

/**
 * Claims events for a consumer inside the consumer's own transaction: each id the first time, never
 * again after, so effects committed with the claim happen exactly once per event. Answers the ids
 * this call claimed.
 */
export async function claimEvents(tx: Executor, consumer: string, eventIds: string[]): Promise<Set<string>> {
  if (!eventIds.length) return new Set();
  const claimed = await tx
    .insert(processedEvents)
    .values(eventIds.map((eventId) => ({ consumer, eventId })))
    .onConflictDoNothing()
    .returning({ eventId: processedEvents.eventId });
  return new Set(claimed.map((row) => row.eventId));
}

/** One event's claim: true the first time, false ever after. */
export async function claimEvent(tx: Executor, consumer: string, eventId: string): Promise<boolean> {
  return (await claimEvents(tx, consumer, [eventId])).has(eventId);
}
