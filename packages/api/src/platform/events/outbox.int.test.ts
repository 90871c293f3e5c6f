import { randomUUID } from "node:crypto";
import { domainEvents } from "@medical/db/schema";
import postgres from "postgres";
import { describe, expect, inject, test } from "vitest";
import { useFileDeps } from "#testing/file-deps.ts";
import { claimEvent, OUTBOX_START, type OutboxPosition, positionOf, readOutbox } from "./outbox.ts";

const file = useFileDeps();

/** Reads everything committed so far and returns where a reader now stands. */
async function readToEnd(from: OutboxPosition = OUTBOX_START) {
  let position = from;
  const read: string[] = [];
  for (;;) {
    const batch = await readOutbox(file.db, position, 50);
    if (!batch.length) return { position, read };
    for (const event of batch) read.push(event.type);
    position = positionOf(batch.at(-1) ?? position);
  }
}

/**
 * Readers wait for every older transaction of the whole PostgreSQL cluster, so another test
 * file's long transaction (a 20k-row load) can hold them back for seconds: poll, never assume.
 */
const visibleSoon = { timeout: 15_000, interval: 50 };

const insertEvent = (type: string) =>
  file.db
    .insert(domainEvents)
    .values({ type, payload: { v: 1 } })
    .returning({ id: domainEvents.id });

describe("the outbox", () => {
  test("a reader gets every committed event once, in order, and resumes from its position", async () => {
    const tag = randomUUID().slice(0, 8);
    const { position } = await readToEnd();
    await file.db.transaction(async (tx) => {
      await tx.insert(domainEvents).values([
        { type: `a.${tag}`, payload: { v: 1 } },
        { type: `b.${tag}`, payload: { v: 1 } },
      ]);
    });
    await insertEvent(`c.${tag}`);
    await expect.poll(async () => (await readToEnd(position)).read, visibleSoon).toHaveLength(3);
    const first = await readOutbox(file.db, position, 2);
    expect(first.map((e) => e.type)).toEqual([`a.${tag}`, `b.${tag}`]);
    const rest = await readToEnd(positionOf(first[1] ?? first[0] ?? position));
    expect(rest.read).toEqual([`c.${tag}`]);
  });

  test("a consumer claims an event exactly once", async () => {
    const [event] = await insertEvent("claim.test");
    const id = event?.id ?? "";
    expect(await claimEvent(file.db, "mailer", id)).toBe(true);
    expect(await claimEvent(file.db, "mailer", id)).toBe(false);
    expect(await claimEvent(file.db, "notifications", id)).toBe(true);
  });

  test.skipIf(inject("testDatabase").kind === "pglite")(
    "an event whose transaction commits late is read after it commits, never skipped (PostgreSQL: two connections)",
    async () => {
      if (!file.handle.url) throw new Error("PostgreSQL test database without a URL");
      const tag = randomUUID().slice(0, 8);
      const marker = `marker.${tag}`;
      await insertEvent(marker);
      let position = OUTBOX_START;
      await expect
        .poll(async () => {
          const end = await readToEnd();
          position = end.position;
          return end.read.at(-1);
        }, visibleSoon)
        .toBe(marker);
      const early = postgres(file.handle.url, { max: 1, onnotice: () => {} });
      const late = postgres(file.handle.url, { max: 1, onnotice: () => {} });
      try {
        let commitEarly: () => void = () => {};
        const earlyInserted = new Promise<void>((inserted) => {
          void early.begin(async (sql) => {
            await sql`insert into domain_events (type, payload) values (${`early.${tag}`}, '{"v":1}')`;
            inserted();
            await new Promise<void>((resolve) => {
              commitEarly = resolve;
            });
          });
        });
        await earlyInserted;
        await late`insert into domain_events (type, payload) values (${`late.${tag}`}, '{"v":1}')`;
        // The later transaction has committed, but an earlier one is still open: read nothing past it.
        expect((await readToEnd(position)).read).toEqual([]);
        commitEarly();
        await expect
          .poll(async () => (await readToEnd(position)).read, visibleSoon)
          .toEqual([`early.${tag}`, `late.${tag}`]);
      } finally {
        await early.end();
        await late.end();
      }
    },
  );
});
