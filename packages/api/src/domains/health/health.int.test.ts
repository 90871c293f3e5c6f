import { openFileDatabase } from "@medical/db/testing/vitest";
import { describe, expect, test } from "vitest";
import { callerFor } from "#testing/caller.ts";
import { makeTestDeps } from "#testing/deps.ts";
import { useFileDeps } from "#testing/file-deps.ts";

const file = useFileDeps();

describe("health", () => {
  test("reports the database up with its kind and round-trip time", async () => {
    const health = await callerFor(file.deps).health.check();
    expect(health).toMatchObject({ status: "ok", database: "up", databaseKind: file.handle.kind });
    expect(health.databaseRoundTripMs).toBeGreaterThanOrEqual(0);
  });

  test("answers UNAVAILABLE with database down once the database is closed, while liveness stays ok", async () => {
    // A database of its own: the file's stays open for the other tests.
    const closing = await openFileDatabase();
    const caller = callerFor(makeTestDeps(closing));
    await closing.close();
    await expect(caller.health.check()).rejects.toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      cause: { code: "UNAVAILABLE", details: { database: "down" } },
    });
    expect(await caller.health.live()).toMatchObject({ status: "ok", version: expect.any(String) });
  });
});
