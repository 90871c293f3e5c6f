import { type Database, type Executor, selectRows, type Transaction } from "@medical/db";
import { type DomainEventRow, domainEvents, outboxConsumers } from "@medical/db/schema";
import { desc, eq, sql } from "drizzle-orm";
import { type BackgroundPasses, runPasses } from "../background.ts";
import type { Deps } from "../deps.ts";
import { claimEvents, OUTBOX_START, type OutboxPosition, positionOf, readOutbox } from "./outbox.ts";

/**
 * An ordered consumer of the outbox (decision record 0034): one process at a time, cluster-wide,
 * reads the events in commit-safe order and, for each one, in ONE transaction claims it, writes its
 * effects and moves its stored position. A process that dies after a commit resumes after what it
 * committed (nothing lost); a retry of an event already claimed writes nothing (nothing doubled).
 */
export interface OutboxConsumer {
  /** Its position row and its claims. */
  name: string;
  /** A fixed 64-bit key: the advisory lock that keeps it to one process. */
  lockKey: bigint;
  /**
   * The effects of `events` (claimed now, in outbox order), through `tx`, the transaction that
   * claims them and moves the position. May return work for after the commit (publishing on the
   * EventBus): it runs only once the effects are durable.
   */
  handle(tx: Transaction, events: DomainEventRow[]): Promise<(() => void) | undefined>;
}

export interface ConsumeReport {
  /** Events this pass moved past (claimed and handled, or already claimed). */
  processed: number;
  /** Another process holds the consumer's lock: it consumes instead. */
  busy: boolean;
}

async function tryLock(tx: Executor, key: bigint): Promise<boolean> {
  const [row] = await selectRows(
    tx,
    sql`select pg_try_advisory_xact_lock(${key.toString()}::bigint) as locked`,
  );
  return row?.locked === true;
}

/** Where the consumer stands: the start of the outbox before its first event. */
export async function consumerPosition(db: Executor, name: string): Promise<OutboxPosition> {
  const [row] = await db
    .select({ txId: outboxConsumers.txId, seq: outboxConsumers.seq })
    .from(outboxConsumers)
    .where(eq(outboxConsumers.name, name));
  return row ?? OUTBOX_START;
}

async function savePosition(tx: Executor, name: string, position: OutboxPosition): Promise<void> {
  await tx
    .insert(outboxConsumers)
    .values({ name, ...position })
    .onConflictDoUpdate({
      target: outboxConsumers.name,
      set: { txId: position.txId, seq: position.seq, updatedAt: sql`now()` },
    });
}

const samePosition = (a: OutboxPosition, b: OutboxPosition) => a.txId === b.txId && a.seq === b.seq;

/** A transaction's outcome: another process holds the lock, or went ahead; else the work for after its commit. */
type Outcome = "busy" | "moved" | { after: (() => void) | undefined };

/**
 * `events` (in order, the first right after `expected`) in one transaction: each claimed and
 * handled, then the position moved past the last. One commit for the lot: a commit's flush, not
 * the statements, is what an event would cost on its own.
 */
function consumeEvents(
  db: Database,
  consumer: OutboxConsumer,
  expected: OutboxPosition,
  events: DomainEventRow[],
): Promise<Outcome> {
  return db.transaction(async (tx) => {
    if (!(await tryLock(tx, consumer.lockKey))) return "busy";
    if (!samePosition(await consumerPosition(tx, consumer.name), expected)) return "moved";
    const claimed = await claimEvents(
      tx,
      consumer.name,
      events.map((event) => event.id),
    );
    const then = await consumer.handle(
      tx,
      events.filter((event) => claimed.has(event.id)),
    );
    const last = events.at(-1);
    if (last) await savePosition(tx, consumer.name, positionOf(last));
    return { after: then };
  });
}

/**
 * A batch in one transaction; if it fails, the same events one transaction each, so those before
 * the failing one commit (and publish) and the error (a handler's bug, the database) ends the pass
 * at it.
 */
async function consumeBatch(
  db: Database,
  consumer: OutboxConsumer,
  expected: OutboxPosition,
  events: DomainEventRow[],
): Promise<{ outcome: "busy" | "moved" | "done"; processed: number }> {
  const committed: [Outcome, number][] = [];
  let failure: { error: unknown } | undefined;
  const whole = await consumeEvents(db, consumer, expected, events).catch(() => undefined);
  if (whole) committed.push([whole, events.length]);
  else {
    let position = expected;
    for (const event of events) {
      try {
        const one = await consumeEvents(db, consumer, position, [event]);
        committed.push([one, 1]);
        if (typeof one === "string") break;
      } catch (error) {
        failure = { error };
        break;
      }
      position = positionOf(event);
    }
  }
  let processed = 0;
  for (const [outcome, count] of committed) {
    if (typeof outcome === "string") return { outcome, processed };
    outcome.after?.();
    processed += count;
  }
  if (failure) throw failure.error;
  return { outcome: "done", processed };
}

/**
 * One pass: every event readable now, `batchSize` at a time, each batch handled in one
 * transaction. An error (the database, a handler's bug) ends the pass with the events before it
 * committed; the next pass retries from there.
 */
export async function consumeOutbox(
  deps: Pick<Deps, "db">,
  consumer: OutboxConsumer,
  options: { batchSize?: number } = {},
): Promise<ConsumeReport> {
  const batchSize = options.batchSize ?? 100;
  let processed = 0;
  for (;;) {
    const batch = await deps.db.transaction(async (tx) => {
      if (!(await tryLock(tx, consumer.lockKey))) return "busy";
      const position = await consumerPosition(tx, consumer.name);
      return { position, events: await readOutbox(tx, position, batchSize) };
    });
    if (batch === "busy") return { processed, busy: true };
    if (!batch.events.length) return { processed, busy: false };
    const done = await consumeBatch(deps.db, consumer, batch.position, batch.events);
    processed += done.processed;
    if (done.outcome === "busy") return { processed, busy: true };
    if (done.outcome === "done" && batch.events.length < batchSize) return { processed, busy: false };
  }
}

/** The newest event committed so far (in outbox order), or undefined when there is none. */
async function newestEvent(db: Executor): Promise<OutboxPosition | undefined> {
  const [row] = await db
    .select({ txId: domainEvents.txId, seq: domainEvents.seq })
    .from(domainEvents)
    .orderBy(desc(domainEvents.txId), desc(domainEvents.seq))
    .limit(1);
  return row;
}

/** Whether `position` is at or past `target` in outbox order (transaction ids compared as xid8). */
async function reached(db: Executor, position: OutboxPosition, target: OutboxPosition): Promise<boolean> {
  const [row] = await selectRows(
    db,
    sql`select (${position.txId}::xid8, ${position.seq}::bigint) >= (${target.txId}::xid8, ${target.seq}::bigint) as reached`,
  );
  return row?.reached === true;
}

/**
 * Passes until every event committed before the call has been consumed: for tests and tools that
 * need the effects now rather than at the next tick. The outbox's horizon (decision record 0009)
 * may hold an event back while an older transaction anywhere on the cluster runs, so it retries
 * every `retryMs` until `timeoutMs`, then throws.
 */
export async function consumeUntilCaughtUp(
  deps: Pick<Deps, "db">,
  consumer: OutboxConsumer,
  options: { timeoutMs?: number; retryMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  const target = await newestEvent(deps.db);
  for (;;) {
    await consumeOutbox(deps, consumer);
    if (!target || (await reached(deps.db, await consumerPosition(deps.db, consumer.name), target))) return;
    if (Date.now() > deadline) throw new Error(`the ${consumer.name} consumer did not catch up in time`);
    await new Promise((resolve) => setTimeout(resolve, options.retryMs ?? 20));
  }
}

/**
 * Runs `consumer` in the background: a pass at start, then one `intervalMs` after each pass ends,
 * or sooner when woken; never two at once in a process (the lock keeps it to one across
 * processes). A failed pass is logged without its SQL and retried at the next tick.
 */
export function startOutboxConsumer(
  deps: Pick<Deps, "db" | "logger">,
  consumer: OutboxConsumer,
  options: { intervalMs: number },
): BackgroundPasses {
  return runPasses(() => consumeOutbox(deps, consumer), {
    intervalMs: options.intervalMs,
    logger: deps.logger.child({ consumer: consumer.name }),
    failure: "outbox consumer pass failed",
  });
}
