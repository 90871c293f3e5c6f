import { createHash } from "node:crypto";
import { type Database, type Executor, selectRows } from "@medical/db";
import { type AuditAnchor, auditAnchors, auditChain, auditEvents } from "@medical/db/schema";
import { and, asc, desc, sql } from "drizzle-orm";
import type { Deps } from "../deps.ts";

/**
 * The audit trail's hash chain (decision record 0026). A sealer chains committed events in
 * `(txId, id)` order, only those whose transaction is older than every transaction still running,
 * so no request waits on a chain head and a late commit is chained after it commits, never skipped.
 * Each sealing transaction appends links and one anchor (the head), which also goes to the log.
 */

/** Any fixed 64-bit key shared by every instance ("med-seal"): one sealer at a time, cluster-wide. */
export const AUDIT_SEAL_LOCK_KEY = 0x6d65642d7365616cn;

/** What the first link chains from. */
export const GENESIS_HASH = "0".repeat(64);

/** The canonical form's layout; a new one (a column joins the chain) gets a new number. */
const CANONICAL_VERSION = 1;

/** The columns of an event the chain covers, read alike by the sealer and by verification. */
export const chainedColumns = {
  id: auditEvents.id,
  txId: auditEvents.txId,
  occurredAt: auditEvents.occurredAt,
  actorId: auditEvents.actorId,
  actorRole: auditEvents.actorRole,
  action: auditEvents.action,
  targetType: auditEvents.targetType,
  targetId: auditEvents.targetId,
  patientId: auditEvents.patientId,
  resourceIds: auditEvents.resourceIds,
  outcome: auditEvents.outcome,
  requestId: auditEvents.requestId,
  ip: auditEvents.ip,
  // jsonb's own text: keys in its normalised order, numbers exactly as stored (a JavaScript
  // number would round a large one, and an edit of its last digits would go unseen).
  details: sql<string | null>`${auditEvents.details}::text`,
};

export interface ChainedEvent {
  id: number;
  txId: string;
  occurredAt: Date;
  actorId: string | null;
  actorRole: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  patientId: string | null;
  resourceIds: string[] | null;
  outcome: string;
  requestId: string | null;
  ip: string | null;
  details: string | null;
}

/** One JSON array, every column in a fixed order: the same event always gives the same text. */
export function canonicalEvent(event: ChainedEvent): string {
  return JSON.stringify([
    CANONICAL_VERSION,
    event.id,
    event.txId,
    event.occurredAt.toISOString(),
    event.actorId,
    event.actorRole,
    event.action,
    event.targetType,
    event.targetId,
    event.patientId,
    event.resourceIds,
    event.outcome,
    event.requestId,
    event.ip,
    event.details,
  ]);
}

/** Link `seq`'s hash: SHA-256 over the previous link's hash, the position and the event. */
export function linkHash(previous: string, seq: number, event: ChainedEvent): string {
  return createHash("sha256")
    .update(`${previous}\n${seq}\n${canonicalEvent(event)}`)
    .digest("hex");
}

/** The chain's head as its newest anchor records it; undefined before the first sealing. */
export async function chainHead(db: Executor): Promise<AuditAnchor | undefined> {
  const [head] = await db.select().from(auditAnchors).orderBy(desc(auditAnchors.eventCount)).limit(1);
  return head;
}

/** What an anchor says, as the log line and the verification report show it. */
export interface AnchorFacts {
  id: number;
  /** Events in the chain up to this anchor (its head link's position). */
  eventCount: number;
  headEventId: number;
  headHash: string;
  sealedAt: Date;
}

export const anchorFacts = (anchor: AuditAnchor): AnchorFacts => ({
  id: anchor.id,
  eventCount: anchor.eventCount,
  headEventId: anchor.headEventId,
  headHash: anchor.headHash,
  sealedAt: anchor.sealedAt,
});

/**
 * Events after the head, in chain order, whose transaction has ended: `pg_snapshot_xmin` is the
 * oldest transaction still running, so nothing older can still commit behind the head.
 */
function sealableEvents(tx: Executor, head: AuditAnchor | undefined, limit: number) {
  return tx
    .select(chainedColumns)
    .from(auditEvents)
    .where(
      and(
        head
          ? sql`(${auditEvents.txId}, ${auditEvents.id}) > (${head.headTxId}::xid8, ${head.headEventId})`
          : undefined,
        sql`${auditEvents.txId} < pg_snapshot_xmin(pg_current_snapshot())`,
      ),
    )
    .orderBy(asc(auditEvents.txId), asc(auditEvents.id))
    .limit(limit);
}

/**
 * The chain's head names a transaction this cluster has not reached: the database was restored
 * from a logical dump into another cluster, whose transaction ids restarted lower. Events written
 * since sort behind the head and cannot be sealed (decision record 0026).
 */
export class ChainAheadOfCluster extends Error {
  override readonly name = "ChainAheadOfCluster";
  constructor() {
    super("the audit chain's head is ahead of this cluster's transaction ids: start a new chain");
  }
}

/** Whether the head's transaction id is beyond any this cluster has assigned. */
async function headIsAhead(tx: Executor, head: AuditAnchor): Promise<boolean> {
  const [row] = await selectRows(
    tx,
    sql`select ${head.headTxId}::xid8 >= pg_snapshot_xmax(pg_current_snapshot()) as ahead`,
  );
  return row?.ahead === true;
}

/**
 * One sealing transaction: up to `batchSize` events linked and one anchor, or nothing to seal
 * (undefined), or "busy" when another process holds the sealer's lock. The lock is a transaction
 * lock: with a connection pool a session lock could be taken on one connection and never released
 * by the next statement's; the unique `seq` and `event_id` would refuse a fork anyway.
 */
async function sealBatch(db: Database, batchSize: number): Promise<AuditAnchor | "busy" | undefined> {
  return db.transaction(async (tx) => {
    const [lock] = await selectRows(
      tx,
      sql`select pg_try_advisory_xact_lock(${AUDIT_SEAL_LOCK_KEY.toString()}::bigint) as locked`,
    );
    if (lock?.locked !== true) return "busy";
    const head = await chainHead(tx);
    const events = await sealableEvents(tx, head, batchSize);
    const last = events.at(-1);
    if (!last) {
      // Checked only when idle: a stalled chain says so instead of staying silent.
      if (head && (await headIsAhead(tx, head))) throw new ChainAheadOfCluster();
      return undefined;
    }
    let seq = head?.eventCount ?? 0;
    let hash = head?.headHash ?? GENESIS_HASH;
    const links = events.map((event) => {
      seq += 1;
      hash = linkHash(hash, seq, event);
      return { seq, eventId: event.id, hash };
    });
    await tx.insert(auditChain).values(links);
    const [anchor] = await tx
      .insert(auditAnchors)
      .values({
        eventCount: seq,
        headEventId: last.id,
        headTxId: last.txId,
        headHash: hash,
        sealedRows: links.length,
      })
      .returning();
    return anchor;
  });
}

export interface SealReport {
  /** Events chained by this pass. */
  sealedRows: number;
  /** The head after the pass, if it moved. */
  lastAnchor: AnchorFacts | null;
  /** Another process held the sealer's lock: it seals instead. */
  busy: boolean;
}

/**
 * One sealing pass: chains every event that can be chained now, `batchSize` per transaction, and
 * logs each new anchor after its commit ("audit chain sealed", `auditAnchor`) for the operator to
 * keep out of the database's reach. The background sealer runs it every second or so; tests call
 * it directly instead of waiting.
 */
export async function sealAuditChain(
  deps: Pick<Deps, "db" | "logger">,
  options: { batchSize?: number } = {},
): Promise<SealReport> {
  const batchSize = options.batchSize ?? 500;
  let sealedRows = 0;
  let lastAnchor: AnchorFacts | null = null;
  for (;;) {
    const anchor = await sealBatch(deps.db, batchSize);
    if (anchor === "busy") return { sealedRows, lastAnchor, busy: true };
    if (!anchor) break;
    lastAnchor = anchorFacts(anchor);
    sealedRows += anchor.sealedRows;
    deps.logger.info({ auditAnchor: lastAnchor }, "audit chain sealed");
    if (anchor.sealedRows < batchSize) break;
  }
  return { sealedRows, lastAnchor, busy: false };
}
