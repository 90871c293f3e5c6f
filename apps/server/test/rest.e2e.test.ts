import { once } from "node:events";
import { connect } from "node:net";
import { appRouter } from "@medical/api";
import { createTRPCClient, httpLink } from "@trpc/client";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { createProbeRouter } from "./support/probe-router.ts";
import { SECRET_PARAMETER } from "./support/probe-router.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function call(path: string, init: RequestInit & { json?: unknown } = {}) {
  const { json, ...rest } = init;
  const response = await fetch(`${server.url}/api/v1${path}`, {
    ...rest,
    ...(json !== undefined
      ? {
          method: rest.method ?? "POST",
          body: JSON.stringify(json),
          headers: { "content-type": "application/json", ...rest.headers },
        }
      : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) };
}

const valid = { flag: true, count: 3, name: "Amina" };

describe("the REST envelope", () => {
  test("wraps a success: data, a null message and the request id header", async () => {
    const res = await call("/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: expect.objectContaining({ status: "ok", database: "up", databaseKind: server.handle.kind }),
      message: null,
    });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get("x-operation-id")).toBe("health-check");
  });

  test("answers a create with its meta's successStatus and successMessage", async () => {
    const res = await call("/probe/echo", { json: valid });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ success: true, data: valid, message: "Echoed" });
  });

  test("answers invalid input 400 VALIDATION_FAILED with the issues and a readable message", async () => {
    const res = await call("/probe/echo", { json: { ...valid, name: "A" } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      success: false,
      data: null,
      message: expect.stringMatching(/^Invalid input: name: /),
      error: {
        code: "VALIDATION_FAILED",
        requestId: res.headers.get("x-request-id"),
        issues: [{ path: ["name"] }],
      },
    });
  });

  test("rejects unknown keys, so nobody sets a field they do not own", async () => {
    const res = await call("/probe/echo", { json: { ...valid, role: "ADMIN" } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_FAILED");
  });

  test("parses JSON sent with a charset, as mobile clients do", async () => {
    const res = await call("/probe/echo", {
      json: valid,
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual(valid);
  });

  test("answers malformed JSON 400 MALFORMED_JSON in the envelope, not an HTML page", async () => {
    const res = await call("/probe/echo", {
      method: "POST",
      body: '{"flag": tru',
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.body).toMatchObject({ success: false, data: null, error: { code: "MALFORMED_JSON" } });
  });

  test("answers an unknown route 404 NOT_FOUND naming it, under /api/v1 and elsewhere", async () => {
    for (const path of ["/api/v1/no-such-route", "/no-such-page"]) {
      const response = await fetch(`${server.url}${path}?q=1`, { headers: { "x-request-id": "no-route-1" } });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        success: false,
        data: null,
        message: `No route for GET ${path}`,
        error: { code: "NOT_FOUND", requestId: "no-route-1" },
      });
    }
  });

  test("wraps a procedure that returns nothing: data null and its message", async () => {
    const res = await call("/probe/done", { json: {} });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: null, message: "Done" });
  });

  test("answers a body it cannot decode (bad gzip) 400 MALFORMED_JSON", async () => {
    const res = await call("/probe/echo", {
      method: "POST",
      body: JSON.stringify(valid),
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, data: null, error: { code: "MALFORMED_JSON" } });
  });

  test("answers a body over the limit 413 PAYLOAD_TOO_LARGE", async () => {
    const res = await call("/probe/echo", { json: { ...valid, name: "x".repeat(200_000) } });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ success: false, error: { code: "PAYLOAD_TOO_LARGE" } });
  });

  test("answers a body that is not JSON 415 UNSUPPORTED_MEDIA_TYPE", async () => {
    const res = await call("/probe/echo", {
      method: "POST",
      body: "flag=true",
      headers: { "content-type": "text/plain" },
    });
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ success: false, error: { code: "UNSUPPORTED_MEDIA_TYPE" } });
  });

  test("maps a domain error to its status and stable code", async () => {
    const res = await call("/probe/taken", { json: {} });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ success: false, error: { code: "EMAIL_TAKEN" } });
  });

  test("answers an unexpected error 500 INTERNAL with the request id and nothing internal", async () => {
    const res = await call("/probe/leak", { headers: { "x-request-id": "leak-check-1" } });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      success: false,
      data: null,
      message: "Internal server error",
      error: { code: "INTERNAL", requestId: "leak-check-1" },
    });
    expect(res.text).not.toMatch(/table_that_does_not_exist|select|leaky|stack|\.ts/i);
    const logLine = server.logs.lines.find((line) => line.includes('"unexpected error"'));
    expect(logLine).toBeDefined();
    expect(logLine).toContain('"requestId":"leak-check-1"');
    expect(logLine).toContain('"code":"42P01"');
    expect(server.logs.text).not.toContain(SECRET_PARAMETER);
    expect(server.logs.text).not.toContain("table_that_does_not_exist");
  });
});

describe("input coercion (trpc-to-openapi patched)", () => {
  test("a JSON body is never coerced: a string for a boolean or a number is 400", async () => {
    for (const body of [
      { ...valid, flag: "false" },
      { ...valid, count: "7" },
      { ...valid, count: null },
    ]) {
      const res = await call("/probe/echo", { json: body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_FAILED");
    }
  });

  test("after REST calls, the same tRPC procedure still rejects a string for a number", async () => {
    await call("/probe/echo", { json: valid });
    await call("/probe/echo", { json: { ...valid, count: "7" } });
    const client = createTRPCClient<ReturnType<typeof createProbeRouter>>({
      links: [httpLink({ url: `${server.url}/trpc`, transformer: superjson })],
    });
    // The wrong type is the point of this call: it proves the schema was not mutated.
    const input = JSON.parse('{"flag":true,"count":"7","name":"Amina"}');
    await expect(client.probe.echo.mutate(input)).rejects.toMatchObject({
      data: { code: "BAD_REQUEST", appCode: "VALIDATION_FAILED" },
    });
  });

  test("query text becomes the number, boolean or instant the schema declares, on GET and DELETE", async () => {
    const since = "2026-12-01T08:30:00.000Z";
    const typed = await call(`/probe/typed?count=7&ratio=-1.5&flag=false&since=${since}&name=42`);
    expect(typed.status).toBe(200);
    expect(typed.body.data).toEqual({ count: 7, ratio: -1.5, flag: false, since, name: "42" });
    expect((await call("/probe/typed")).body.data).toEqual({ count: 20 });

    const removed = await call(`/probe/typed?force=true&before=2026-12-01T09:30:00%2B01:00`, {
      method: "DELETE",
    });
    expect(removed.status).toBe(200);
    expect(removed.body.data).toEqual({ force: true, before: since });
  });

  test.each([
    "count=7.5",
    "count=1e1",
    "ratio=abc",
    "flag=1",
    "flag=TRUE",
    "since=2026-12-01",
    "since=yesterday",
    "count=1&count=2",
    "unknown=1",
  ])("query %s that is not what the schema declares → 400 VALIDATION_FAILED", async (query) => {
    const res = await call(`/probe/typed?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_FAILED");
  });

  test("query parameters coerce only where the schema says so", async () => {
    const ok = await call("/probe/items?limit=5&active=false");
    expect(ok.body.data).toEqual({ limit: 5, active: false });
    const tooMany = await call("/probe/items?limit=500");
    expect(tooMany.status).toBe(400);
    const notBool = await call("/probe/items?active=maybe");
    expect(notBool.status).toBe(400);
  });
});

describe("request timeout", () => {
  test("answers 408 and closes a connection that does not finish its request in time", async () => {
    const slow = await startTestServer({
      router: appRouter,
      handle: server.handle,
      limits: { requestTimeoutMs: 400 },
    });
    try {
      const { port, hostname } = new URL(slow.url);
      const socket = connect(Number(port), hostname);
      await once(socket, "connect");
      let answer = "";
      socket.on("data", (chunk: Buffer) => {
        answer += chunk.toString();
      });
      socket.write(
        "POST /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
      );
      await once(socket, "close");
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await slow.shutdown();
    }
  });
});

/** Status, header names with their values (the per-request ones masked), and the body's shape. */
async function answerShape(response: Response) {
  // The length follows the body, whose round-trip time and uptime vary.
  const perRequest = new Set(["date", "x-request-id", "content-length"]);
  const headers = [...response.headers].map(([name, value]) => [name, perRequest.has(name) ? "…" : value]);
  const body = JSON.parse(await response.text());
  return { status: response.status, headers, body, keys: Object.keys(body.data ?? {}) };
}

describe("health", () => {
  test("the fast path answers exactly as the REST adapter does (a query string goes through the adapter)", async () => {
    for (const path of ["/health", "/health/live"]) {
      const fast = await answerShape(await fetch(`${server.url}/api/v1${path}`));
      const adapter = await answerShape(await fetch(`${server.url}/api/v1${path}?`));
      expect(fast.status).toBe(200);
      expect(fast.headers).toEqual(adapter.headers);
      expect(fast.keys).toEqual(adapter.keys);
      expect(fast.body).toMatchObject({ success: true, message: null, data: { status: "ok" } });
    }
    const live = await call("/health/live");
    expect(live.headers.get("x-operation-id")).toBe("health-live");
    expect(live.body.data).toEqual({
      status: "ok",
      version: expect.any(String),
      uptimeSeconds: expect.any(Number),
    });
  });

  test("with the database gone: readiness 503 UNAVAILABLE with data.database down, liveness still 200", async () => {
    const broken = await startTestServer({ router: appRouter });
    try {
      await broken.handle.close();
      const [ready, adapterReady] = await Promise.all([
        fetch(`${broken.url}/api/v1/health`),
        fetch(`${broken.url}/api/v1/health?`),
      ]);
      expect(ready.status).toBe(503);
      const { body } = await answerShape(ready);
      expect(body).toMatchObject({
        success: false,
        data: { status: "unavailable", database: "down" },
        message: "The database is not answering",
        error: { code: "UNAVAILABLE", requestId: ready.headers.get("x-request-id") },
      });
      expect(Object.keys(body)).toEqual(["success", "data", "message", "error"]);
      const adapter = await answerShape(adapterReady);
      expect(adapter.status).toBe(503);
      expect(adapter.keys).toEqual(Object.keys(body.data));
      expect(adapter.body.error.code).toBe("UNAVAILABLE");

      const live = await fetch(`${broken.url}/api/v1/health/live`);
      expect(live.status).toBe(200);
      expect(await live.json()).toMatchObject({ success: true, data: { status: "ok" } });
      const trpc = createTRPCClient<typeof appRouter>({
        links: [httpLink({ url: `${broken.url}/trpc`, transformer: superjson })],
      });
      expect(await trpc.health.live.query()).toMatchObject({ status: "ok" });
    } finally {
      await broken.shutdown();
    }
  });
});
