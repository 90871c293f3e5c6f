import { appRouter } from "@medical/api";
import { createMedicalClient, MAX_BATCH_ITEMS } from "@medical/sdk";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MAX_BATCH_SIZE } from "../src/app.ts";
import { clientWebSocket, startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ router: appRouter });
});
afterAll(() => server.close());

describe("@medical/sdk", () => {
  test("reads health over HTTP with the router's types", async () => {
    const client = createMedicalClient({ url: `${server.url}/`, WebSocket: clientWebSocket });
    const health = await client.health.check.query();
    expect(health).toMatchObject({ status: "ok", database: "up", databaseKind: server.handle.kind });
  });

  test("splits batches to what the server accepts", async () => {
    expect(MAX_BATCH_ITEMS).toBeLessThanOrEqual(MAX_BATCH_SIZE);
    const client = createMedicalClient({ url: server.url, WebSocket: clientWebSocket });
    const results = await Promise.all(Array.from({ length: 25 }, () => client.health.check.query()));
    expect(results).toHaveLength(25);
  });
});
