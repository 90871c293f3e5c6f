import { randomUUID } from "node:crypto";
import { auditAnchors, auditChain, auditEvents } from "@medical/db/schema";
import { asc, eq, inArray, sql } from "drizzle-orm";
import pino from "pino";
import postgres from "postgres";
import { describe, expect, inject, test } from "vitest";
import { asSuperuser, isSealed, sealThrough } from "#testing/audit-chain.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { type AuditMeta, auditAttempt } from "./audit.ts";
import {
  AUDIT_SEAL_LOCK_KEY,
  anchorFacts,
  ChainAheadOfCluster,
  chainedColumns,
  chainHead,
  GENESIS_HASH,
  linkHash,
  sealAuditChain,
} from "./chain.ts";
import { startAuditSealer } from "./sealer.ts";

const file = useFileDeps();
const onPostgres = inject("testDatabase").kind === "postgres";

const meta: AuditMeta = { actor: null, requestId: "chain-test", origin: { ip: null, userAgent: null } };

/** Writes one audit event as the application does and returns its id. */
async function writeEvent(action = `test.${randomUUID().slice(0, 8)}`): Promise<number> {
  await auditAttempt(file.deps, meta, { action, outcome: "SUCCESS" });
  const [row] = await file.db
    .select({ id: auditEvents.id })
    .from(auditEvents)
    .where(eq(auditEvents.action, action));
  if (!row) throw new Error("the event was not written");
  return row.id;
}

/** A logger whose lines land in an array, parsed. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const linksOf = (eventIds: number[]) =>
  file.db.select().from(auditChain).where(inArray(auditChain.eventId, eventIds)).orderBy(asc(auditChain.seq));

describe("sealing the audit trail", () => {
  test("chains committed events in order and writes one anchor per transaction, logged after its commit", async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await writeEvent());
    const { logger, lines } = capturingLogger();
    const before = await chainHead(file.db);

    await sealThrough({ db: file.db, logger }, ids.at(-1) ?? 0, { batchSize: 2 });

    const links = await linksOf(ids);
    expect(links.map((link) => link.eventId)).toEqual(ids);
    // Contiguous positions, each hash over the previous one and the event as stored.
    const [first] = links;
    const [previous] = first
      ? await file.db
          .select()
          .from(auditChain)
          .where(eq(auditChain.seq, first.seq - 1))
      : [];
    let hash = previous?.hash ?? GENESIS_HASH;
    for (const [index, link] of links.entries()) {
      expect(link.seq).toBe((first?.seq ?? 0) + index);
      const [event] = await file.db
        .select(chainedColumns)
        .from(auditEvents)
        .where(eq(auditEvents.id, link.eventId));
      if (!event) throw new Error("a sealed event is missing");
      hash = linkHash(hash, link.seq, event);
      expect(link.hash).toBe(hash);
    }

    const anchors = await file.db
      .select()
      .from(auditAnchors)
      .where(sql`${auditAnchors.eventCount} > ${before?.eventCount ?? 0}`)
      .orderBy(asc(auditAnchors.eventCount));
    expect(anchors.length).toBeGreaterThanOrEqual(3);
    for (const anchor of anchors) expect(anchor.sealedRows).toBeLessThanOrEqual(2);
    // Every anchor is the head of its own transaction's links, and the log has each one.
    const logged = lines.filter((line) => line.msg === "audit chain sealed").map((line) => line.auditAnchor);
    expect(logged).toEqual(
      anchors.map((anchor) => ({ ...anchorFacts(anchor), sealedAt: anchor.sealedAt.toISOString() })),
    );
    const head = await chainHead(file.db);
    expect(head?.eventCount).toBe(anchors.at(-1)?.eventCount);
  });

  test("a pass with nothing new writes no anchor", async () => {
    await sealThrough(file.deps, await writeEvent());
    const before = await chainHead(file.db);
    const report = await sealAuditChain(file.deps);
    // On PostgreSQL a pass may still chain an event another statement of this file wrote; never a
    // second anchor for the same head.
    if (report.sealedRows === 0) expect((await chainHead(file.db))?.id).toBe(before?.id);
    else expect(report.lastAnchor?.eventCount).toBe((before?.eventCount ?? 0) + report.sealedRows);
  });

  test("the chain and its anchors refuse UPDATE, DELETE and TRUNCATE", async () => {
    await sealThrough(file.deps, await writeEvent());
    for (const statement of [
      sql`update audit_chain set hash = ${"0".repeat(64)}`,
      sql`delete from audit_chain`,
      sql`truncate audit_chain`,
      sql`update audit_anchors set sealed_rows = 0`,
      sql`delete from audit_anchors`,
      sql`truncate audit_anchors`,
    ]) {
      await expect(file.db.execute(statement)).rejects.toMatchObject({
        cause: { code: "42501", message: expect.stringContaining("is append-only") },
      });
    }
  });

  test.skipIf(!onPostgres)(
    "an event whose transaction commits late is sealed after it commits, before the events after it (PostgreSQL: two connections)",
    async () => {
      if (!file.handle.url) throw new Error("PostgreSQL test database without a URL");
      await sealThrough(file.deps, await writeEvent());
      const tag = randomUUID().slice(0, 8);
      const held = postgres(file.handle.url, { max: 1, onnotice: () => {} });
      try {
        let commitLate: () => void = () => {};
        let lateId = 0;
        const lateInserted = new Promise<void>((inserted) => {
          void held.begin(async (tx) => {
            const [row] = await tx<{ id: number }[]>`
              insert into audit_events (action, outcome) values (${`late.${tag}`}, 'SUCCESS') returning id`;
            lateId = Number(row?.id);
            inserted();
            await new Promise<void>((resolve) => {
              commitLate = resolve;
            });
          });
        });
        await lateInserted;
        // Committed after the late one took its id and its transaction id: chained after it.
        const nextId = await writeEvent(`next.${tag}`);
        expect(nextId).toBeGreaterThan(lateId);

        await sealAuditChain(file.deps);
        expect(await isSealed(file.db, nextId)).toBe(false);
        expect(await isSealed(file.db, lateId)).toBe(false);

        commitLate();
        await sealThrough(file.deps, nextId);
        const links = await linksOf([lateId, nextId]);
        expect(links.map((link) => link.eventId)).toEqual([lateId, nextId]);
      } finally {
        await held.end();
      }
    },
  );

  test.skipIf(!onPostgres)(
    "while another process holds the sealer's lock a pass seals nothing and says so (PostgreSQL)",
    async () => {
      if (!file.handle.url) throw new Error("PostgreSQL test database without a URL");
      const other = postgres(file.handle.url, { max: 1, onnotice: () => {} });
      try {
        await other.begin(async (tx) => {
          await tx`select pg_advisory_xact_lock(${AUDIT_SEAL_LOCK_KEY.toString()}::bigint)`;
          const eventId = await writeEvent();
          const report = await sealAuditChain(file.deps);
          expect(report).toEqual({ sealedRows: 0, lastAnchor: null, busy: true });
          expect(await isSealed(file.db, eventId)).toBe(false);
        });
      } finally {
        await other.end();
      }
    },
  );

  test("a head from another cluster's transaction ids (a logical restore) stops sealing loudly", async () => {
    await sealThrough(file.deps, await writeEvent());
    const head = await chainHead(file.db);
    const [forged] = await file.db
      .insert(auditAnchors)
      .values({
        eventCount: (head?.eventCount ?? 0) + 1_000_000,
        headEventId: head?.headEventId ?? 0,
        headTxId: "999999999999",
        headHash: head?.headHash ?? GENESIS_HASH,
        sealedRows: 1,
      })
      .returning({ id: auditAnchors.id });
    try {
      await expect(sealAuditChain(file.deps)).rejects.toBeInstanceOf(ChainAheadOfCluster);
    } finally {
      await asSuperuser(file.db, sql`delete from audit_anchors where id = ${forged?.id ?? 0}`);
    }
    await sealThrough(file.deps, await writeEvent());
  });
});

describe("the background sealer", () => {
  test("seals from its start, and its stop seals what was written before it", async () => {
    const { logger, lines } = capturingLogger();
    const first = await writeEvent();
    const sealer = startAuditSealer({ db: file.db, logger }, { intervalMs: 1_000 });
    try {
      await expect.poll(() => isSealed(file.db, first), { timeout: 15_000, interval: 50 }).toBe(true);
      const last = await writeEvent();
      await sealer.stop();
      // PostgreSQL's horizon is cluster-wide: another file's transaction may hold the last pass back.
      if (!onPostgres) expect(await isSealed(file.db, last)).toBe(true);
    } finally {
      await sealer.stop();
    }
    expect(lines.some((line) => line.msg === "audit chain sealed")).toBe(true);
    expect(lines.filter((line) => line.level !== 30)).toEqual([]);
  });
});
