import type { Executor } from "@medical/db";
import { type AuditAnchor, auditAnchors, auditChain, auditEvents } from "@medical/db/schema";
import { and, asc, between, count, gt, inArray, lte, max, min, sql } from "drizzle-orm";
import { type AuditMeta, auditAttempt } from "#platform/audit/audit.ts";
import {
  type AnchorFacts,
  anchorFacts,
  type ChainedEvent,
  chainedColumns,
  chainHead,
  GENESIS_HASH,
  linkHash,
} from "#platform/audit/chain.ts";
import type { Deps } from "#platform/deps.ts";

/** Why a link is broken, in the order a walk from the chain's start meets them. */
export const BROKEN_LINK_REASONS = [
  /** A link in the middle of the chain is gone. */
  "LINK_MISSING",
  /** The event a link seals is gone. */
  "EVENT_MISSING",
  /** The event (or its link) no longer hashes to what was sealed. */
  "EVENT_ALTERED",
  /** An anchor disagrees with the chain at its position: the chain was rewritten before it. */
  "ANCHOR_MISMATCH",
  /** The newest anchor counts more links than the chain holds: the newest ones were deleted. */
  "CHAIN_TRUNCATED",
  /** Links past the newest anchor: the anchors that recorded them were deleted. */
  "ANCHOR_MISSING",
  /** An event behind the chain's head has no link: it was inserted there afterwards. */
  "EVENT_NOT_SEALED",
] as const;
export type BrokenLinkReason = (typeof BROKEN_LINK_REASONS)[number];

export interface BrokenLink {
  /** The chain position where the walk stopped (null: the event is outside the chain). */
  seq: number | null;
  /** The audit event concerned, when one is known. */
  eventId: number | null;
  reason: BrokenLinkReason;
}

export interface AuditVerification {
  ok: boolean;
  /** Links whose hash was recomputed and matched before the walk stopped. */
  checkedRows: number;
  firstBrokenLink: BrokenLink | null;
  /** Events not chained yet: committed after the last sealing, or still behind a running transaction. */
  unsealedBacklog: number;
  oldestUnsealedAt: Date | null;
  /** The newest anchor: compare it with the newest `audit chain sealed` line of the log. */
  lastAnchor: AnchorFacts | null;
}

/** The events a batch of links seals, by id (one query per batch: memory stays bounded). */
async function eventsById(db: Executor, ids: number[]): Promise<Map<number, ChainedEvent>> {
  const rows = ids.length
    ? await db.select(chainedColumns).from(auditEvents).where(inArray(auditEvents.id, ids))
    : [];
  return new Map(rows.map((row) => [row.id, row]));
}

/** The anchors at positions `from`…`to`, up to the head read at the start, by position. */
async function anchorsBetween(db: Executor, head: AuditAnchor | undefined, from: number, to: number) {
  const rows = head
    ? await db
        .select()
        .from(auditAnchors)
        .where(and(between(auditAnchors.eventCount, from, to), lte(auditAnchors.id, head.id)))
    : [];
  return new Map(rows.map((row) => [row.eventCount, row]));
}

/** An anchor as the log kept it: the chain must still hold `headHash` at position `eventCount`. */
export interface LoggedAnchor {
  eventCount: number;
  headHash: string;
}

interface Walk {
  checkedRows: number;
  broken: BrokenLink | null;
}

/**
 * Recomputes the chain from its start up to the head (or to the logged anchor, if it claims more),
 * `batchSize` links at a time, and stops at the first link that does not hold: a missing link or
 * event, a hash that differs, or an anchor (stored or logged) the chain no longer agrees with.
 */
async function walkChain(
  db: Executor,
  head: AuditAnchor | undefined,
  logged: LoggedAnchor | undefined,
  batchSize: number,
): Promise<Walk> {
  const end = Math.max(head?.eventCount ?? 0, logged?.eventCount ?? 0);
  let seq = 0;
  let previous = GENESIS_HASH;
  const stop = (at: number, eventId: number | null, reason: BrokenLinkReason): Walk => ({
    checkedRows: seq,
    broken: { seq: at, eventId, reason },
  });
  while (seq < end) {
    const links = await db
      .select()
      .from(auditChain)
      .where(and(gt(auditChain.seq, seq), lte(auditChain.seq, end)))
      .orderBy(asc(auditChain.seq))
      .limit(batchSize);
    const first = links[0];
    const last = links.at(-1);
    if (!first || !last) break;
    const events = await eventsById(
      db,
      links.map((link) => link.eventId),
    );
    const anchors = await anchorsBetween(db, head, first.seq, last.seq);
    for (const link of links) {
      if (link.seq !== seq + 1) return stop(seq + 1, null, "LINK_MISSING");
      const event = events.get(link.eventId);
      if (!event) return stop(link.seq, link.eventId, "EVENT_MISSING");
      const hash = linkHash(previous, link.seq, event);
      if (hash !== link.hash) return stop(link.seq, link.eventId, "EVENT_ALTERED");
      const anchor = anchors.get(link.seq);
      const anchorDiffers = anchor && (anchor.headHash !== hash || anchor.headEventId !== link.eventId);
      const loggedDiffers = logged?.eventCount === link.seq && logged.headHash !== hash;
      if (anchorDiffers || loggedDiffers) return stop(link.seq, link.eventId, "ANCHOR_MISMATCH");
      seq = link.seq;
      previous = hash;
    }
    if (links.length < batchSize) break;
  }
  return seq < end ? stop(seq + 1, null, "CHAIN_TRUNCATED") : { checkedRows: seq, broken: null };
}

/** The first event at or behind the head's position that has no link (forged into the past). */
async function eventBehindHead(db: Executor, head: AuditAnchor): Promise<BrokenLink | null> {
  const [row] = await db
    .select({ id: auditEvents.id })
    .from(auditEvents)
    .where(
      sql`(${auditEvents.txId}, ${auditEvents.id}) <= (${head.headTxId}::xid8, ${head.headEventId})
        and not exists (select 1 from ${auditChain} where ${auditChain.eventId} = ${auditEvents.id})`,
    )
    .orderBy(asc(auditEvents.txId), asc(auditEvents.id))
    .limit(1);
  return row ? { seq: null, eventId: row.id, reason: "EVENT_NOT_SEALED" } : null;
}

/** Events after the head's position: what the sealer has yet to chain. */
async function backlog(db: Executor, head: AuditAnchor | undefined) {
  const [row] = await db
    .select({ rows: count(), oldest: min(auditEvents.occurredAt) })
    .from(auditEvents)
    .where(
      head
        ? sql`(${auditEvents.txId}, ${auditEvents.id}) > (${head.headTxId}::xid8, ${head.headEventId})`
        : undefined,
    );
  return { unsealedBacklog: row?.rows ?? 0, oldestUnsealedAt: row?.oldest ?? null };
}

/**
 * `GET /admin/audit/verify`: walks the whole chain in batches (bounded memory, and on PGlite other
 * requests run between them) and reports the first broken link, the unsealed backlog and the
 * newest anchor. The walk stops at the head read first, so the sealer may go on meanwhile. Given
 * an anchor from the log (`logged`), it also checks the chain still holds it: the one check a
 * superuser who rewrote the anchors table too cannot pass. The check itself is audited
 * (`audit.verified`), and a broken chain is logged as a warning.
 */
export async function verifyAuditChain(
  deps: Pick<Deps, "db" | "logger">,
  audit: AuditMeta,
  options: { batchSize?: number; logged?: LoggedAnchor | undefined } = {},
): Promise<AuditVerification> {
  const { db } = deps;
  // The longest chain first, then the head: a link and its anchor commit together, so a link
  // past a head read afterwards has lost its anchor.
  const [longest] = await db.select({ seq: max(auditChain.seq) }).from(auditChain);
  const head = await chainHead(db);
  const headCount = head?.eventCount ?? 0;
  const walk = await walkChain(db, head, options.logged, options.batchSize ?? 1000);
  if (!walk.broken && (longest?.seq ?? 0) > headCount)
    walk.broken = { seq: headCount + 1, eventId: null, reason: "ANCHOR_MISSING" };
  if (!walk.broken && head) walk.broken = await eventBehindHead(db, head);

  const report: AuditVerification = {
    ok: walk.broken === null,
    checkedRows: walk.checkedRows,
    firstBrokenLink: walk.broken,
    ...(await backlog(db, head)),
    lastAnchor: head ? anchorFacts(head) : null,
  };
  if (walk.broken) deps.logger.warn({ firstBrokenLink: walk.broken }, "audit chain broken");
  await auditAttempt(deps, audit, {
    action: "audit.verified",
    outcome: "SUCCESS",
    details: {
      ok: report.ok,
      checkedRows: report.checkedRows,
      reason: walk.broken?.reason ?? null,
      eventId: walk.broken?.eventId ?? null,
    },
  });
  return report;
}
