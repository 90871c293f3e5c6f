import { appErrors } from "@medical/api";
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

  test("refuses a forged cursor as a VALIDATION_FAILED with its issue, as the REST mirror does", async () => {
    const client = createTRPCClient<ProbeRouter>({
      links: [httpLink({ url: `${server.url}/trpc`, transformer: superjson })],
    });
    await expect(client.doctors.search.query({ cursor: "bm90LWEtY3Vyc29y" })).rejects.toMatchObject({
      data: { appCode: "VALIDATION_FAILED", httpStatus: 400, issues: [{ path: ["cursor"] }] },
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

/** The error objects of a /trpc answer, batched or not, as superjson sent them. */
function errorsOf(body: unknown): { message: string; data: { appCode?: string; httpStatus?: number } }[] {
  const answers = Array.isArray(body) ? body : [body];
  return answers.map((answer) => answer.error.json);
}

/** tRPC's own fixed sentences, which carry no engine text. */
const trpcSentences = ['"input" needs to be an object when doing a batch call'];

/** A message of ours: a sentence of the error table, our validation wording, or a fixed tRPC one. */
function isOurs(message: string): boolean {
  return (
    Object.values(appErrors).some((spec) => spec.message === message) ||
    message.startsWith("Invalid input") ||
    trpcSentences.includes(message)
  );
}

describe("malformed tRPC requests", () => {
  const deep = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
  const malformed: [string, string, RequestInit?][] = [
    [
      "a superjson annotation on a number",
      `health.check?input=${encodeURIComponent('{"json":1,"meta":{"values":{"a":["Date"]}}}')}`,
    ],
    [
      "an annotation naming an unknown custom type",
      `health.check?input=${encodeURIComponent('{"json":{"a":1},"meta":{"values":{"a":[["custom","nope"]]}}}')}`,
    ],
    ["a batch input that is an array of numbers", `health.check?batch=1&input=${encodeURIComponent("[1]")}`],
    ["a batch whose call input is null", `health.check?batch=1&input=${encodeURIComponent('{"0":null}')}`],
    ["a query input that is not JSON", `health.check?input=${encodeURIComponent("{nope")}`],
    ["a query input nested 40 deep", `health.check?input=${encodeURIComponent(`{"json":${deep(40)}}`)}`],
    ["a string body to a mutation", "probe.echo", { method: "POST", body: '"x"' }],
    ["a body that is not JSON", "probe.echo", { method: "POST", body: '{"json":' }],
    ["a body nested 50,000 deep", "auth.login", { method: "POST", body: `{"json":${deep(50_000)}}` }],
    [
      "a batch body nested 50,000 deep",
      "auth.login?batch=1",
      { method: "POST", body: `{"0":{"json":${deep(50_000)}}}` },
    ],
  ];

  test.each(malformed)("%s: 4xx with an appCode and a message of ours", async (_name, target, init) => {
    const response = await fetch(`${server.url}/trpc/${target}`, {
      ...init,
      headers: { "content-type": "application/json" },
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    for (const error of errorsOf(await response.json())) {
      expect(error.data.appCode).toEqual(expect.any(String));
      expect(error.data.httpStatus).toBe(response.status);
      expect({ message: error.message, ours: isOurs(error.message) }).toEqual({
        message: error.message,
        ours: true,
      });
    }
  });

  test("a deep input names the limit", async () => {
    const response = await fetch(`${server.url}/trpc/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"json":${deep(50_000)}}`,
    });
    expect(response.status).toBe(400);
    expect(errorsOf(await response.json())[0]).toMatchObject({
      message: "Invalid input: nested deeper than 32 levels",
      data: { appCode: "VALIDATION_FAILED" },
    });
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
