import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openPostgresStore, type Store } from "../database.ts";
import type { RealtimeContext, RealtimeResult } from "../realtime/realtime.ts";
import type { Scenario } from "../scenario.ts";
import {
  notificationsBroadcast,
  notificationsCrossInstance,
  notificationsIdleHeap,
} from "./notifications.ts";

/**
 * The realtime scenarios end to end at a tiny scale (four sockets): each boots real servers (ours
 * from its sources under tsx, the twin), opens real sockets from the client process and reports a
 * figure per transport, or "not available" for a route that answers 404. PostgreSQL only, like the
 * scenarios (two instances, LISTEN/NOTIFY); a `pnpm bench` running at the same time holds the lock.
 */
const SERVER_SOURCE = fileURLToPath(new URL("../../../apps/server/src/main.ts", import.meta.url));
const ADMIN_URL = process.env.BENCH_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";

describe.skipIf(process.env.TEST_DB !== "postgres")("the realtime scenarios at a tiny scale", () => {
  let store: Store;
  beforeAll(async () => {
    store = await openPostgresStore(ADMIN_URL);
    await store.prepare([]);
  }, 120_000);
  afterAll(() => store?.close());

  const run = (scenario: Scenario): Promise<RealtimeResult[]> => {
    const context: RealtimeContext = {
      scenario: scenario.name,
      node: {
        major: Number(process.versions.node.split(".")[0]),
        version: process.version,
        execPath: process.execPath,
      },
      store,
      serverEntry: SERVER_SOURCE,
      sockets: 4,
      durationMs: 500,
      log: () => {},
    };
    if (!scenario.realtime) throw new Error(`${scenario.name} is not a realtime scenario`);
    return scenario.realtime.run(context);
  };
  /** A figure, or null with the reason; never a figure of sockets that did not all come up. */
  const reported = (result: RealtimeResult | undefined) =>
    result?.value === null ? result.detail : typeof result?.value === "number" && result.value > 0;

  test("heap per idle subscriber: a figure for tRPC and the bare twin, the plain socket's or its absence", async () => {
    const results = await run(notificationsIdleHeap);
    expect(results.map((r) => [r.transport, r.server, r.unit])).toEqual([
      ["trpc", "ours", "KB/socket"],
      ["plain", "ours", "KB/socket"],
      ["bare", "bare", "KB/socket"],
    ]);
    expect(Number.isFinite(results[0]?.value)).toBe(true);
    expect(Number.isFinite(results[2]?.value)).toBe(true);
    expect([true, "not available (HTTP 404)"]).toContain(
      results[1]?.value === null ? results[1].detail : Number.isFinite(results[1]?.value),
    );
    const checks = notificationsIdleHeap.realtime?.targets(results) ?? [];
    expect(checks.map((c) => c.target)).toEqual(["≤ 20 KB", "≤ 10 KB"]);
  }, 180_000);

  test("broadcast: every socket gets the announcement, on ours and on the twin", async () => {
    const results = await run(notificationsBroadcast);
    const byTransport = Object.fromEntries(results.map((r) => [r.transport, r]));
    expect(reported(byTransport.trpc)).toBe(true);
    expect(reported(byTransport.bare)).toBe(true);
    expect([true, "not available (HTTP 404)"]).toContain(reported(byTransport.plain));
    const checks = notificationsBroadcast.realtime?.targets(results) ?? [];
    expect(checks.map((c) => c.target)).toEqual(["≤ 3×", "≤ 3×"]);
    expect(checks[0]?.met).not.toBeNull();
  }, 180_000);

  test("across two instances: a p95 per bus for the tRPC subscribers", async () => {
    const results = await run(notificationsCrossInstance);
    const trpc = results.filter((r) => r.transport === "trpc");
    expect(trpc.map((r) => r.bus)).toEqual(["postgres", "redis"]);
    for (const result of trpc) expect(reported(result)).toBe(true);
    expect(notificationsCrossInstance.realtime?.targets(results)).toHaveLength(results.length);
  }, 240_000);
});
