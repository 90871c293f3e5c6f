import { randomUUID } from "node:crypto";
import { type AuditChainLink, auditAnchors, auditChain, auditEvents } from "@medical/db/schema";
import { asc, eq, inArray, type SQL, sql } from "drizzle-orm";
import pino from "pino";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { type AuditMeta, auditAttempt } from "#platform/audit/audit.ts";
import { chainedColumns, chainHead, linkHash } from "#platform/audit/chain.ts";
import { asSuperuser, sealThrough } from "#testing/audit-chain.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { signInAs } from "#testing/sign-in.ts";
import { type LoggedAnchor, verifyAuditChain } from "./verify.service.ts";

const file = useFileDeps();

const meta: AuditMeta = {
  actor: { userId: randomUUID(), role: "ADMIN" },
  requestId: "verify-test",
  origin: { ip: null, userAgent: null },
};

/** Small batches, so every walk crosses batch boundaries and anchors sit inside and at their edges. */
const verify = (logged?: LoggedAnchor) => verifyAuditChain(file.deps, meta, { batchSize: 3, logged });

/** The anchors each sealing logs, as an operator's log store would keep them. */
const logLines: Record<string, unknown>[] = [];
const logger = pino({ level: "info" }, { write: (line: string) => logLines.push(JSON.parse(line)) });

const ZLoggedAnchor = z.object({ eventCount: z.number(), headHash: z.string() });
const lastLoggedAnchor = (): LoggedAnchor =>
  ZLoggedAnchor.parse(logLines.findLast((entry) => entry.msg === "audit chain sealed")?.auditAnchor);

/** Writes `count` events as the application does, seals them, and returns their links in chain order. */
async function sealedEvents(count: number): Promise<AuditChainLink[]> {
  const tag = randomUUID().slice(0, 8);
  for (let i = 0; i < count; i++)
    await auditAttempt(file.deps, meta, {
      action: `test.sealed.${tag}`,
      outcome: "SUCCESS",
      patientId: randomUUID(),
      resourceIds: [randomUUID()],
      details: { n: i, note: "a" },
    });
  const ids = (
    await file.db
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(eq(auditEvents.action, `test.sealed.${tag}`))
  ).map((row) => row.id);
  await sealThrough({ db: file.db, logger }, Math.max(...ids));
  return file.db
    .select()
    .from(auditChain)
    .where(inArray(auditChain.eventId, ids))
    .orderBy(asc(auditChain.seq));
}

function at<T>(items: T[], index: number): T {
  const item = items.at(index);
  if (item === undefined) throw new Error(`no item at ${index}`);
  return item;
}

type Table = "audit_events" | "audit_chain" | "audit_anchors";

/**
 * What a tamperer removes or edits, copied aside first: `save` copies the rows `where` selects,
 * `restore` puts the copies back (same ids, same transaction ids), so the next test starts from
 * an intact chain and the restored chain verifying again shows exactly the tampering was found.
 */
function saved(table: Table, where: SQL) {
  const copy = sql.identifier(`saved_${table}_${randomUUID().replaceAll("-", "")}`);
  const target = sql.identifier(table);
  const identity = table === "audit_chain" ? sql`` : sql`overriding system value`;
  return {
    save: sql`create table ${copy} as select * from ${target} where ${where}`,
    remove: sql`delete from ${target} where ${where}`,
    restore: sql`insert into ${target} ${identity} select * from ${copy}`,
  };
}

describe("verifying the audit chain (GET /admin/audit/verify)", () => {
  test("an intact chain holds; the report counts the links, the backlog and shows the newest anchor", async () => {
    await sealedEvents(7);
    const head = await chainHead(file.db);

    const report = await verify();

    expect(report).toEqual({
      ok: true,
      checkedRows: head?.eventCount,
      firstBrokenLink: null,
      unsealedBacklog: 0,
      oldestUnsealedAt: null,
      lastAnchor: {
        id: head?.id,
        eventCount: head?.eventCount,
        headEventId: head?.headEventId,
        headHash: head?.headHash,
        sealedAt: head?.sealedAt,
      },
    });
    expect(await verifyAuditChain(file.deps, meta)).toEqual({
      ...report,
      unsealedBacklog: 1,
      oldestUnsealedAt: expect.any(Date),
    });
    // The log's newest anchor is the chain's.
    expect(await verify(lastLoggedAnchor())).toMatchObject({ ok: true });

    // Each check is audited, and waits in the backlog until the next sealing.
    await auditAttempt(file.deps, meta, { action: "test.unsealed", outcome: "SUCCESS" });
    expect(await verify()).toMatchObject({ ok: true, unsealedBacklog: 4 });
    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    const checks = await admin.audit.list({ action: "audit.verified", limit: 1 });
    expect(checks.items[0]?.details).toEqual({
      ok: true,
      checkedRows: head?.eventCount,
      reason: null,
      eventId: null,
    });
  });

  test.each([
    ["its action", "action = 'patient.read'"],
    ["its time", "occurred_at = occurred_at + interval '1 millisecond'"],
    ["its actor", `actor_id = '${randomUUID()}'`],
    ["its patient", "patient_id = null"],
    ["the ids it listed", "resource_ids = array[]::uuid[]"],
    ["a number in its details", `details = jsonb_set(details, '{n}', '7')`],
    ["its outcome", "outcome = 'DENIED'"],
    ["its transaction id", "tx_id = '1'"],
  ])(
    "an edit of %s in the middle of the chain is found (EVENT_ALTERED), and undoing it mends the chain",
    async (_what, change) => {
      const link = at(await sealedEvents(5), 2);
      const copy = saved("audit_events", sql`id = ${link.eventId}`);
      await asSuperuser(
        file.db,
        copy.save,
        sql`update audit_events set ${sql.raw(change)} where id = ${link.eventId}`,
      );

      expect(await verify()).toMatchObject({
        ok: false,
        checkedRows: link.seq - 1,
        firstBrokenLink: { seq: link.seq, eventId: link.eventId, reason: "EVENT_ALTERED" },
      });

      await asSuperuser(file.db, copy.remove, copy.restore);
      expect(await verify()).toMatchObject({ ok: true, firstBrokenLink: null });
    },
  );

  test("a deleted event in the middle is found (EVENT_MISSING)", async () => {
    const link = at(await sealedEvents(5), 2);
    const copy = saved("audit_events", sql`id = ${link.eventId}`);
    await asSuperuser(file.db, copy.save, copy.remove);

    expect(await verify()).toMatchObject({
      ok: false,
      checkedRows: link.seq - 1,
      firstBrokenLink: { seq: link.seq, eventId: link.eventId, reason: "EVENT_MISSING" },
    });

    await asSuperuser(file.db, copy.restore);
    expect(await verify()).toMatchObject({ ok: true });
  });

  test("an event deleted in the middle with its link is found (LINK_MISSING)", async () => {
    const link = at(await sealedEvents(5), 2);
    const event = saved("audit_events", sql`id = ${link.eventId}`);
    const chained = saved("audit_chain", sql`seq = ${link.seq}`);
    await asSuperuser(file.db, event.save, chained.save, event.remove, chained.remove);

    expect(await verify()).toMatchObject({
      ok: false,
      checkedRows: link.seq - 1,
      firstBrokenLink: { seq: link.seq, eventId: null, reason: "LINK_MISSING" },
    });

    await asSuperuser(file.db, event.restore, chained.restore);
    expect(await verify()).toMatchObject({ ok: true });
  });

  test("the newest events deleted with their links are found by the newest anchor (CHAIN_TRUNCATED)", async () => {
    const links = await sealedEvents(5);
    const firstGone = at(links, 3);
    const head = await chainHead(file.db);
    const events = saved(
      "audit_events",
      sql`id in (select event_id from audit_chain where seq >= ${firstGone.seq})`,
    );
    const chained = saved("audit_chain", sql`seq >= ${firstGone.seq}`);
    await asSuperuser(file.db, events.save, chained.save, events.remove, chained.remove);

    expect(await verify()).toMatchObject({
      ok: false,
      checkedRows: firstGone.seq - 1,
      firstBrokenLink: { seq: firstGone.seq, eventId: null, reason: "CHAIN_TRUNCATED" },
      lastAnchor: { eventCount: head?.eventCount },
    });

    await asSuperuser(file.db, events.restore, chained.restore);
    expect(await verify()).toMatchObject({ ok: true });
  });

  test("the newest events deleted with their links and anchors leave the database consistent, and the logged anchor finds them (CHAIN_TRUNCATED)", async () => {
    await sealedEvents(3);
    const kept = await chainHead(file.db);
    const keptCount = kept?.eventCount ?? 0;
    await sealedEvents(3);
    const logged = lastLoggedAnchor();
    expect(logged.eventCount).toBeGreaterThan(keptCount);
    const events = saved(
      "audit_events",
      sql`id in (select event_id from audit_chain where seq > ${keptCount})`,
    );
    const chained = saved("audit_chain", sql`seq > ${keptCount}`);
    const anchors = saved("audit_anchors", sql`event_count > ${keptCount}`);
    await asSuperuser(
      file.db,
      events.save,
      chained.save,
      anchors.save,
      events.remove,
      chained.remove,
      anchors.remove,
    );

    // Nothing left in the database betrays it: the log kept outside does.
    expect(await verify()).toMatchObject({ ok: true, lastAnchor: { eventCount: keptCount } });
    expect(await verify(logged)).toMatchObject({
      ok: false,
      checkedRows: keptCount,
      firstBrokenLink: { seq: keptCount + 1, eventId: null, reason: "CHAIN_TRUNCATED" },
    });

    await asSuperuser(file.db, events.restore, chained.restore, anchors.restore);
    expect(await verify(logged)).toMatchObject({ ok: true });
  });

  test("deleted newest anchors leave links past the head (ANCHOR_MISSING)", async () => {
    await sealedEvents(3);
    const kept = await chainHead(file.db);
    const keptCount = kept?.eventCount ?? 0;
    await sealedEvents(2);
    const anchors = saved("audit_anchors", sql`event_count > ${keptCount}`);
    await asSuperuser(file.db, anchors.save, anchors.remove);

    expect(await verify()).toMatchObject({
      ok: false,
      checkedRows: keptCount,
      firstBrokenLink: { seq: keptCount + 1, eventId: null, reason: "ANCHOR_MISSING" },
    });

    await asSuperuser(file.db, anchors.restore);
    expect(await verify()).toMatchObject({ ok: true });
  });

  test("a chain rewritten from an edited event onwards is found by the anchor after it (ANCHOR_MISMATCH)", async () => {
    const edited = at(await sealedEvents(4), 1);
    await sealedEvents(2);
    // The first anchor at or after the edit (one per sealing transaction).
    const [anchor] = await file.db
      .select()
      .from(auditAnchors)
      .where(sql`${auditAnchors.eventCount} >= ${edited.seq}`)
      .orderBy(asc(auditAnchors.eventCount))
      .limit(1);
    const events = saved("audit_events", sql`id = ${edited.eventId}`);
    const chained = saved("audit_chain", sql`seq >= ${edited.seq}`);
    await asSuperuser(
      file.db,
      events.save,
      chained.save,
      sql`update audit_events set action = 'patient.read' where id = ${edited.eventId}`,
    );
    // The tamperer recomputes every link from the edit on, as this code would.
    const [before] = await file.db
      .select()
      .from(auditChain)
      .where(eq(auditChain.seq, edited.seq - 1));
    let hash = before?.hash ?? "";
    const rewrites: SQL[] = [];
    const links = await file.db
      .select()
      .from(auditChain)
      .where(sql`${auditChain.seq} >= ${edited.seq}`)
      .orderBy(asc(auditChain.seq));
    for (const link of links) {
      const [event] = await file.db
        .select(chainedColumns)
        .from(auditEvents)
        .where(eq(auditEvents.id, link.eventId));
      if (!event) throw new Error("a sealed event is missing");
      hash = linkHash(hash, link.seq, event);
      rewrites.push(sql`update audit_chain set hash = ${hash} where seq = ${link.seq}`);
    }
    await asSuperuser(file.db, ...rewrites);

    expect(await verify()).toMatchObject({
      ok: false,
      checkedRows: (anchor?.eventCount ?? 0) - 1,
      firstBrokenLink: { seq: anchor?.eventCount, eventId: anchor?.headEventId, reason: "ANCHOR_MISMATCH" },
    });

    await asSuperuser(file.db, events.remove, chained.remove, events.restore, chained.restore);
    expect(await verify()).toMatchObject({ ok: true });
  });

  test("an event inserted behind the chain's head is found (EVENT_NOT_SEALED)", async () => {
    await sealedEvents(2);
    const [forged] = await file.db
      .insert(auditEvents)
      .values({ action: "patient.read", outcome: "SUCCESS", txId: "3" })
      .returning({ id: auditEvents.id });

    expect(await verify()).toMatchObject({
      ok: false,
      firstBrokenLink: { seq: null, eventId: forged?.id, reason: "EVENT_NOT_SEALED" },
    });

    await asSuperuser(file.db, sql`delete from audit_events where id = ${forged?.id ?? 0}`);
    expect(await verify()).toMatchObject({ ok: true });
  });

  // Last: it empties the trail of this file's database.
  test("a truncated trail is found at the first link (EVENT_MISSING)", async () => {
    await sealedEvents(2);
    const [first] = await file.db.select().from(auditChain).where(eq(auditChain.seq, 1));
    await asSuperuser(file.db, sql`truncate audit_events`);

    expect(await verify()).toMatchObject({
      ok: false,
      checkedRows: 0,
      firstBrokenLink: { seq: 1, eventId: first?.eventId, reason: "EVENT_MISSING" },
    });
  });
});
