import { once } from "node:events";
import { appRouter } from "@medical/api";
import { makeUser, TEST_PASSWORD } from "@medical/api/testing";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { z } from "zod";
import { startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
let proxied: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  // The same database behind a reverse proxy on this host (TRUST_PROXY=loopback).
  proxied = await startTestServer({ router: appRouter, handle: server.handle, trustProxy: "loopback" });
});
afterAll(async () => {
  await proxied.shutdown();
  await server.close();
});

/** One tRPC answer over WebSocket, read as its JSON-RPC frame (the superjson payload under `json`). */
const ZFrame = z.object({
  id: z.number(),
  result: z.object({ data: z.object({ json: z.unknown() }) }).optional(),
  error: z
    .object({ json: z.object({ message: z.string(), data: z.object({ requestId: z.string() }) }) })
    .optional(),
});

/** Calls one procedure over a real WebSocket whose upgrade request carries `headers`. */
async function overWebSocket(
  base: string,
  headers: Record<string, string>,
  call: { method: "query" | "mutation"; path: string; input?: unknown },
) {
  const socket = new WebSocket(`${base.replace("http", "ws")}/trpc`, { headers });
  try {
    await once(socket, "open");
    const input = superjson.serialize(call.input);
    socket.send(JSON.stringify({ id: 1, method: call.method, params: { path: call.path, input } }));
    const [frame] = await once(socket, "message");
    return ZFrame.parse(JSON.parse(String(frame)));
  } finally {
    socket.close();
  }
}

async function login(base: string, email: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ email, password: TEST_PASSWORD }),
  });
  expect(response.status).toBe(200);
  return z.object({ data: z.object({ accessToken: z.string() }) }).parse(await response.json()).data
    .accessToken;
}

/** The IP the server recorded on the latest login audit event of `userId`, as an admin reads it. */
async function loginIp(userId: string): Promise<string | null> {
  const admin = await makeUser(server.handle.db, { role: "ADMIN" });
  const token = await login(server.url, admin.email);
  const response = await fetch(`${server.url}/api/v1/admin/audit?action=auth.login&targetId=${userId}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const page = z
    .object({ data: z.object({ items: z.array(z.object({ ip: z.string().nullable() })) }) })
    .parse(await response.json());
  return page.data.items[0]?.ip ?? null;
}

const loginOverWebSocket = async (base: string, email: string, headers: Record<string, string>) => {
  const frame = await overWebSocket(base, headers, {
    method: "mutation",
    path: "auth.login",
    input: { email, password: TEST_PASSWORD },
  });
  expect(frame.result).toBeDefined();
};

describe("the client IP", () => {
  test("over WebSocket follows TRUST_PROXY as HTTP does: the forwarded address behind a trusted proxy", async () => {
    const overWs = await makeUser(server.handle.db);
    await loginOverWebSocket(proxied.url, overWs.email, { "x-forwarded-for": "203.0.113.7" });
    expect(await loginIp(overWs.id)).toBe("203.0.113.7");

    const overHttp = await makeUser(server.handle.db);
    await login(proxied.url, overHttp.email, { "x-forwarded-for": "203.0.113.8" });
    expect(await loginIp(overHttp.id)).toBe("203.0.113.8");
  });

  test("over WebSocket ignores X-Forwarded-For when no proxy is trusted", async () => {
    const user = await makeUser(server.handle.db);
    await loginOverWebSocket(server.url, user.email, { "x-forwarded-for": "203.0.113.9" });
    expect(await loginIp(user.id)).toBe("127.0.0.1");
  });
});

/** The `requestId` of the server's "unexpected error" log lines. */
function loggedErrorIds(): string[] {
  const ZLine = z.object({ msg: z.string(), requestId: z.string().optional() });
  return server.logs.lines
    .map((line) => ZLine.safeParse(JSON.parse(line)))
    .flatMap((parsed) =>
      parsed.success && parsed.data.msg === "unexpected error" && parsed.data.requestId
        ? [parsed.data.requestId]
        : [],
    );
}

describe("an error's logged request id is the one the client gets", () => {
  test("over WebSocket: the error's data.requestId, made by the server or sent on the upgrade", async () => {
    const made = await overWebSocket(server.url, {}, { method: "query", path: "probe.leak" });
    const madeId = made.error?.json.data.requestId ?? "";
    expect(madeId).toMatch(/^[0-9a-f-]{36}$/);
    expect(loggedErrorIds()).toContain(madeId);

    const sent = await overWebSocket(
      server.url,
      { "x-request-id": "ws-upgrade-7" },
      { method: "query", path: "probe.leak" },
    );
    expect(sent.error?.json.data.requestId).toBe("ws-upgrade-7");
    expect(loggedErrorIds()).toContain("ws-upgrade-7");
  });

  test("over HTTP: the X-Request-Id header, on tRPC and on REST", async () => {
    for (const path of ["/trpc/probe.leak", "/api/v1/probe/leak"]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status).toBe(500);
      const id = response.headers.get("x-request-id") ?? "";
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.stringify(await response.json())).toContain(`"requestId":"${id}"`);
      expect(loggedErrorIds()).toContain(id);
    }
  });
});
