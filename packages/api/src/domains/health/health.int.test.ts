import type { IncomingMessage } from "node:http";
import { makeTestDeps } from "@medical/api/testing";
import type { TestDatabase } from "@medical/db/testing";
import { openFileDatabase } from "@medical/db/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createContextFactory } from "#platform/context.ts";
import { createCallerFactory } from "#platform/trpc.ts";
import { appRouter } from "#src/root.ts";

let handle: TestDatabase;
beforeAll(async () => {
  handle = await openFileDatabase();
});
afterAll(() => handle.close());

const request: Pick<IncomingMessage, "headers"> = { headers: {} };

function callerFor(h: TestDatabase) {
  const createContext = createContextFactory(makeTestDeps(h));
  return createCallerFactory(appRouter)(createContext({ req: request }));
}

describe("health", () => {
  test("reports the database up with its kind and round-trip time", async () => {
    const health = await callerFor(handle).health.check();
    expect(health).toMatchObject({ status: "ok", database: "up", databaseKind: handle.kind });
    expect(health.databaseRoundTripMs).toBeGreaterThanOrEqual(0);
  });

  test("answers UNAVAILABLE with database down once the database is closed", async () => {
    const closing = await openFileDatabase();
    const caller = callerFor(closing);
    await closing.close();
    await expect(caller.health.check()).rejects.toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      cause: { code: "UNAVAILABLE", details: { database: "down" } },
    });
  });
});
