import { createTRPCClient, createWSClient, httpLink, type TRPCClientError, wsLink } from "@trpc/client";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { MAX_BATCH_SIZE } from "../src/app.ts";
import { MAX_WS_PAYLOAD_BYTES } from "../src/ws.ts";
import { type createProbeRouter, SECRET_PARAMETER } from "./support/probe-router.ts";
import { clientWebSocket, startTestServer, type TestServer } from "./support/test-server.ts";

type ProbeRouter = ReturnType<typeof createProbeRouter>;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const wsUrl = () => `${server.url.replace("http", "ws")}/trpc`;

function expectNoLeak(error: unknown) {
  const text = JSON.stringify(error, Object.getOwnPropertyNames(error ?? {}));
  expect(text).not.toContain(SECRET_PARAMETER);
  expect(text).not.toMatch(/table_that_does_not_exist|select \*/);
}

describe("tRPC over HTTP", () => {
  test("carries the stable code in data.appCode and hides an unexpected error's message", async () => {
    const client = createTRPCClient<ProbeRouter>({
      links: [httpLink({ url: `${server.url}/trpc`, transformer: superjson })],
    });
    const error = await client.probe.leak.query().catch((e: TRPCClientError<ProbeRouter>) => e);
    expect(error).toMatchObject({
      message: "Internal server error",
      data: { code: "INTERNAL_SERVER_ERROR", appCode: "INTERNAL", httpStatus: 500 },
    });
    expect(error.data).not.toHaveProperty("stack");
    expectNoLeak(error);
    const raw = await (await fetch(`${server.url}/trpc/probe.leak`)).text();
    expect(raw).not.toContain(SECRET_PARAMETER);
    expect(raw).not.toContain("table_that_does_not_exist");
  });

  test("maps domain errors to their code and status", async () => {
    const client = createTRPCClient<ProbeRouter>({
      links: [httpLink({ url: `${server.url}/trpc`, transformer: superjson })],
    });
    await expect(client.probe.taken.mutate({})).rejects.toMatchObject({
      data: { code: "CONFLICT", appCode: "EMAIL_TAKEN", httpStatus: 409 },
    });
  });

  test(`refuses a batch of more than ${MAX_BATCH_SIZE} calls`, async () => {
    const batch = (n: number) =>
      fetch(
        `${server.url}/trpc/${Array(n).fill("health.check").join(",")}?batch=1&input=${encodeURIComponent("{}")}`,
      );
    expect((await batch(MAX_BATCH_SIZE)).status).toBe(200);
    const refused = await batch(MAX_BATCH_SIZE + 1);
    expect(refused.status).toBe(400);
  });

  test("refuses a body over the limit with 413", async () => {
    const response = await fetch(`${server.url}/trpc/probe.echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: { flag: true, count: 1, name: "x".repeat(200_000) } }),
    });
    expect(response.status).toBe(413);
  });
});

describe("tRPC over WebSocket", () => {
  test("hides an unexpected error's message from queries and subscriptions alike", async () => {
    const wsClient = createWSClient({ url: wsUrl(), WebSocket: clientWebSocket });
    const client = createTRPCClient<ProbeRouter>({
      links: [wsLink({ client: wsClient, transformer: superjson })],
    });
    try {
      const queryError = await client.probe.leak.query().catch((e: unknown) => e);
      expect(queryError).toMatchObject({ message: "Internal server error", data: { appCode: "INTERNAL" } });
      expectNoLeak(queryError);

      const subscriptionError = await new Promise<unknown>((resolve) => {
        const sub = client.probe.leakStream.subscribe(undefined, {
          onError: (error) => {
            sub.unsubscribe();
            resolve(error);
          },
        });
      });
      expect(subscriptionError).toMatchObject({
        message: "Internal server error",
        data: { appCode: "INTERNAL" },
      });
      expectNoLeak(subscriptionError);
    } finally {
      await wsClient.close();
    }
  });

  test(`closes a socket that sends more than ${MAX_WS_PAYLOAD_BYTES / 1024} KiB with 1009`, async () => {
    const socket = new WebSocket(wsUrl());
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    socket.send("x".repeat(MAX_WS_PAYLOAD_BYTES + 1));
    expect(await closed).toBe(1009);
  });

  test("refuses an upgrade on an unknown path with 404", async () => {
    const socket = new WebSocket(`${server.url.replace("http", "ws")}/nowhere`);
    const status = await new Promise<number | undefined>((resolve) =>
      socket
        .once("unexpected-response", (_req, res) => resolve(res.statusCode))
        .once("error", () => resolve(undefined)),
    );
    expect(status).toBe(404);
  });
});
