import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeUser, NOTIFICATIONS_LOCK_KEY, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from "@medical/api/testing";
import type { TestDatabase } from "@medical/db/testing";
import { openFileDatabase } from "@medical/db/testing/vitest";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { restClient } from "./support/rest.ts";
import { type ServerProcess, startServerProcess } from "./support/server-process.ts";

/**
 * Under `pnpm test:pg`: a server process killed after a change committed but before its
 * notifications were derived. A connection of the test holds the consumer's advisory lock, so the
 * moment between the commit and the delivery lasts until the kill: no race decides what is tested.
 */
const onPostgres = inject("testDatabase").kind === "postgres";

let database: TestDatabase;
let dataDir: string;
const started: ServerProcess[] = [];
beforeAll(async () => {
  if (!onPostgres) return;
  database = await openFileDatabase();
  dataDir = mkdtempSync(join(tmpdir(), "medical-delivery-crash-"));
});
afterAll(async () => {
  for (const running of started) if (running.child.exitCode === null) running.child.kill("SIGKILL");
  await database?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function serverProcess(): Promise<ServerProcess> {
  const running = await startServerProcess({
    DATABASE_URL: database.url ?? "",
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    ENCRYPTION_KEYS: `${TEST_ENCRYPTION_KEY.id}:${TEST_ENCRYPTION_KEY.key.toString("base64")}`,
  });
  started.push(running);
  return running;
}

describe.skipIf(!onPostgres)("a crash between a commit and its delivery", () => {
  test("loses nothing: the next process delivers what the killed one committed, once", async () => {
    const lockHolder = postgres(database.url ?? "", { max: 1, onnotice: () => {} });
    await lockHolder`select pg_advisory_lock(${NOTIFICATIONS_LOCK_KEY.toString()}::bigint)`;
    const recipient = await makeUser(database.db, { role: "PATIENT" });
    const admin = await makeUser(database.db, { role: "ADMIN" });

    const first = await serverProcess();
    const onFirst = restClient(() => first.url);
    const posted = await onFirst.rest("/notifications", {
      token: await onFirst.tokenOf(admin.email),
      json: { userId: recipient.id, title: "Fermeture exceptionnelle", body: "Le cabinet ferme à 15 h." },
    });
    expect(posted.status).toBe(202);
    // Committed, not yet delivered: the announcement's event is in the outbox, no notification exists.
    const [state] = await lockHolder<{ events: number; notifications: number }[]>`
      select
        (select count(*)::int from domain_events where type = 'announcement.published') as events,
        (select count(*)::int from notifications where user_id = ${recipient.id}) as notifications`;
    expect(state).toEqual({ events: 1, notifications: 0 });

    first.child.kill("SIGKILL");
    await first.exited;
    await lockHolder.end();

    const second = await serverProcess();
    const onSecond = restClient(() => second.url);
    const token = await onSecond.tokenOf(recipient.email);
    // Its own sign-in may add a notice; the announcement must be there exactly once.
    const announced = async () => {
      const page = await onSecond.rest("/notifications?type=SYSTEM", { token });
      const titles: string[] = page.body.data.items.map((item: { title: string }) => item.title);
      return titles.filter((title) => title === "Fermeture exceptionnelle").length;
    };
    // The second process's consumer catches up at start and in the background: awaited, not timed.
    await expect.poll(announced, { timeout: 10_000, interval: 50 }).toBe(1);
  });
});
