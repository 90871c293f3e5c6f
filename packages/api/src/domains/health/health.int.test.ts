import type { TestDatabase } from "@medical/db/testing";
import { openFileDatabase } from "@medical/db/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { callerFor } from "#testing/caller.ts";
import { makeTestDeps } from "#testing/deps.ts";

let handle: TestDatabase;
beforeAll(async () => {
  handle = await openFileDatabase();
});
afterAll(() => handle.close());

const anonymousOn = (h: TestDatabase) => callerFor(makeTestDeps(h));

describe("health", () => {
  test("reports the database up with its kind and round-trip time", async () => {
    const health = await anonymousOn(handle).health.check();
    expect(health).toMatchObject({ status: "ok", database: "up", databaseKind: handle.kind });
    expect(health.databaseRoundTripMs).toBeGreaterThanOrEqual(0);
  });

  test("answers UNAVAILABLE with database down once the database is closed", async () => {
    const closing = await openFileDatabase();
    const caller = anonymousOn(closing);
    await closing.close();
    await expect(caller.health.check()).rejects.toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      cause: { code: "UNAVAILABLE", details: { database: "down" } },
    });
  });
});
