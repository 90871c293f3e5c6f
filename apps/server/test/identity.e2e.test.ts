import { once } from "node:events";
import { appRouter, createRateLimits } from "@medical/api";
import { createMemoryMailer, makeUser, TEST_PASSWORD, testSettings, tokenIn } from "@medical/api/testing";
import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import { Redis } from "ioredis";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import WebSocket from "ws";
import { CLOSE_SESSION_ENDED } from "../src/session-guard.ts";
import { clientWebSocket, startTestServer, type TestServer } from "./support/test-server.ts";

const mailer = createMemoryMailer();
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ router: appRouter, deps: { mailer } });
});
afterAll(() => server.close());

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // The envelope, read loosely: tests assert its shape with toMatchObject.
  body: {
    success: boolean;
    data: Record<string, unknown> | null;
    message: string | null;
    error?: { code: string };
  };
}

async function rest(
  base: string,
  path: string,
  init: { method?: string; json?: unknown; token?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (init.json !== undefined) headers["content-type"] = "application/json";
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const response = await fetch(`${base}/api/v1${path}`, {
    method: init.method ?? (init.json === undefined ? "GET" : "POST"),
    headers,
    ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) };
}
const call = (path: string, init?: Parameters<typeof rest>[2]) => rest(server.url, path, init);

let counter = 0;
const freshEmail = () => `e2e.${Date.now()}.${++counter}@example.dz`;
const field = (answer: Answer, name: string) => String(answer.body.data?.[name] ?? "");

describe("the account lifecycle over REST", () => {
  test("register → login → me → refresh → logout, each in the envelope with its status", async () => {
    const email = freshEmail();
    const registered = await call("/auth/register", {
      json: {
        email,
        password: "un mot de passe sûr",
        firstName: "Ryad",
        lastName: "Haddad",
        phone: "+213551234567",
      },
    });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({
      success: true,
      message: "Account created",
      data: { tokenType: "Bearer" },
    });

    const login = await call("/auth/login", { json: { email, password: "un mot de passe sûr" } });
    expect(login.status).toBe(200);
    const access = field(login, "accessToken");
    const me = await call("/users/me", { token: access });
    expect(me.body).toMatchObject({
      success: true,
      data: { email, role: "PATIENT", phone: "+213551234567" },
    });
    expect(me.body.data).not.toHaveProperty("passwordHash");

    const refreshed = await call("/auth/refresh", { json: { refreshToken: field(login, "refreshToken") } });
    expect(refreshed.status).toBe(200);
    const logout = await call("/auth/logout", { json: { refreshToken: field(refreshed, "refreshToken") } });
    expect(logout.body).toEqual({ success: true, data: null, message: "Signed out" });
    const after = await call("/users/me", { token: field(refreshed, "accessToken") });
    expect(after.status).toBe(401);
    expect(after.body.error?.code).toBe("UNAUTHENTICATED");
  });

  test("forgot answers 202 alike for unknown emails; logout-all needs no body", async () => {
    const user = await makeUser(server.handle.db);
    const known = await call("/auth/forgot", { json: { email: user.email } });
    const unknown = await call("/auth/forgot", { json: { email: freshEmail() } });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(known.body).toEqual(unknown.body);
    const reset = await mailer.next((m) => m.to === user.email && m.kind === "PASSWORD_RESET");
    expect(known.text).not.toContain(tokenIn(reset));
    expect(server.logs.text).not.toContain(tokenIn(reset));

    const login = await call("/auth/login", { json: { email: user.email, password: TEST_PASSWORD } });
    const response = await fetch(`${server.url}/api/v1/auth/logout-all`, {
      method: "POST",
      headers: { authorization: `Bearer ${field(login, "accessToken")}` },
    });
    expect(response.status).toBe(200);
  });

  test("no token is 401, a patient on admin routes 403, a malformed id 400, an unknown id 404", async () => {
    expect((await call("/users/me")).status).toBe(401);
    const patient = await makeUser(server.handle.db);
    const patientLogin = await call("/auth/login", {
      json: { email: patient.email, password: TEST_PASSWORD },
    });
    const forbidden = await call("/users", { token: field(patientLogin, "accessToken") });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error?.code).toBe("FORBIDDEN");

    const admin = await makeUser(server.handle.db, { role: "ADMIN" });
    const token = field(
      await call("/auth/login", { json: { email: admin.email, password: TEST_PASSWORD } }),
      "accessToken",
    );
    expect((await call("/users/not-a-uuid", { token })).status).toBe(400);
    const missing = await call(`/users/${crypto.randomUUID()}`, { token });
    expect(missing.status).toBe(404);
    expect(missing.body.error?.code).toBe("NOT_FOUND");
    expect((await call("/users?limit=500", { token })).status).toBe(400);
    expect((await call("/users?cursor=tampered", { token })).status).toBe(400);
    // Query text becomes the typed value the procedure declares: false is false, not a truthy string.
    const inactive = await makeUser(server.handle.db, { role: "STAFF", isActive: false });
    const listed = await call("/users?isActive=false&role=STAFF&limit=100", { token });
    const items = (listed.body.data as { items: { id: string; isActive: boolean }[] }).items;
    expect(items.map((u) => u.id)).toContain(inactive.id);
    expect(items.every((u) => !u.isActive)).toBe(true);
    expect((await call("/users?isActive=maybe", { token })).status).toBe(400);
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const audit = await call(`/admin/audit?from=${encodeURIComponent(future)}`, { token });
    expect(audit.body.data).toEqual({ items: [], nextCursor: null });
    expect((await call("/admin/audit?from=yesterday", { token })).status).toBe(400);
    const me = await call("/users/me", { token });
    expect(me.headers.get("x-operation-id")).toBe("users-me");
  });

  test("logs never hold tokens or passwords", async () => {
    const email = freshEmail();
    const password = "never-in-a-log-9431";
    const login = await call("/auth/register", {
      json: { email, password, firstName: "Log", lastName: "Check" },
    });
    await call("/users/me", { token: field(login, "accessToken") });
    await call("/auth/refresh", { json: { refreshToken: field(login, "refreshToken") } });
    const logs = server.logs.text;
    for (const secret of [password, field(login, "accessToken"), field(login, "refreshToken")]) {
      expect(logs).not.toContain(secret);
    }
  });
});

describe("rate limits", () => {
  test("answer 429 RATE_LIMITED with Retry-After", async () => {
    const tight = await startTestServer({
      router: appRouter,
      handle: server.handle,
      deps: {
        // Only the auth routes' limit is tight; the others stay the tests' roomy ones.
        settings: { rateLimits: { ...testSettings.rateLimits, auth: [{ points: 2, durationMs: 60_000 }] } },
      },
    });
    try {
      for (let i = 0; i < 2; i++)
        expect((await rest(tight.url, "/auth/forgot", { json: { email: freshEmail() } })).status).toBe(202);
      const limited = await rest(tight.url, "/auth/forgot", { json: { email: freshEmail() } });
      expect(limited.status).toBe(429);
      expect(limited.body.error?.code).toBe("RATE_LIMITED");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    } finally {
      await tight.shutdown();
    }
  });

  const redisUrl = inject("redisUrl");
  test.skipIf(!redisUrl)("are shared by two server instances through one Redis", async () => {
    const prefix = `e2e-${process.pid}-${Date.now()}`;
    const clients = [new Redis(redisUrl ?? ""), new Redis(redisUrl ?? "")];
    // Until a client is connected the limiter counts in memory, per instance (by design).
    await Promise.all(clients.map((redis) => redis.ping()));
    const login = { points: 3, durationMs: 900_000 };
    const settings = {
      rateLimits: {
        login: [login, { points: 100, durationMs: 900_000 }, { points: 100, durationMs: 900_000 }],
        auth: [login],
        public: [login],
        calendarFeed: [login],
        export: [login],
      },
    };
    const instances = await Promise.all(
      clients.map((redis) =>
        startTestServer({
          router: appRouter,
          handle: server.handle,
          deps: { settings, rateLimits: createRateLimits({ keyPrefix: prefix, redis }) },
        }),
      ),
    );
    try {
      const user = await makeUser(server.handle.db);
      const attempt = (i: number) =>
        rest(instances[i % 2]?.url ?? "", "/auth/login", {
          json: { email: user.email, password: "wrong guess" },
        });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await attempt(i)).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
    } finally {
      await Promise.all(instances.map((instance) => instance.shutdown()));
      await Promise.all(clients.map((redis) => redis.quit()));
    }
  });
});

describe("sessions on WebSocket", () => {
  test("a socket of a session revoked elsewhere hears why and is closed with 4401 within a second", async () => {
    const user = await makeUser(server.handle.db);
    const login = await call("/auth/login", { json: { email: user.email, password: TEST_PASSWORD } });
    const closed: number[] = [];
    const wsClient = createWSClient({
      url: `${server.url.replace("http", "ws")}/trpc`,
      WebSocket: clientWebSocket,
      connectionParams: () => ({ token: field(login, "accessToken") }),
      onClose: (cause) => closed.push(cause?.code ?? 0),
      retryDelayMs: () => 60_000,
    });
    const client = createTRPCClient<typeof appRouter>({
      links: [wsLink({ client: wsClient, transformer: superjson })],
    });
    try {
      const event = new Promise<{ type: string; reason: string | null }>((resolve, reject) => {
        client.auth.onSessionEvent.subscribe(undefined, {
          onData: resolve,
          onError: reject,
          onStarted: () => startedResolve(),
        });
      });
      let startedResolve: () => void = () => {};
      await new Promise<void>((resolve) => {
        startedResolve = resolve;
      });
      await call("/auth/logout", { json: { refreshToken: field(login, "refreshToken") } });
      expect(await event).toMatchObject({ type: "SESSION_REVOKED", reason: "LOGOUT" });
      await expect.poll(() => closed, { timeout: 1_000, interval: 20 }).toContain(CLOSE_SESSION_ENDED);
    } finally {
      await wsClient.close();
    }
  });

  test("a plain socket with an invalid token is closed with 4401", async () => {
    const socket = new WebSocket(
      `${server.url.replace("http", "ws")}/trpc?token=not-a-token&connectionParams=0`,
    );
    const [code] = await once(socket, "close");
    expect(code).toBe(CLOSE_SESSION_ENDED);
  });
});
