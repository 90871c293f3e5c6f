import { appRouter } from "@medical/api";
import { callerFor, makeUser, TEST_PASSWORD, testSettings } from "@medical/api/testing";
import { createTRPCClient, createWSClient, httpBatchLink, wsLink } from "@trpc/client";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { sseClient } from "./support/notifications.ts";
import { clientWebSocket, startTestServer, type TestServer } from "./support/test-server.ts";

const TOKEN = "metrics-token-for-the-tests-0123456789";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ router: appRouter, metrics: { token: TOKEN, host: "127.0.0.1" } });
});
afterAll(() => server.close());

async function scrape(base: string, token: string | undefined = TOKEN): Promise<string> {
  const response = await fetch(`${base}/metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** The value of the sample `name{…}` whose labels include `labels`; undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe("/metrics on the main port (METRICS_TOKEN)", () => {
  test("is refused without the token or with a wrong one, in the envelope with WWW-Authenticate", async () => {
    for (const authorization of [undefined, "Bearer wrong-token", `Basic ${TOKEN}`, TOKEN]) {
      const response = await fetch(`${server.url}/metrics`, {
        headers: authorization ? { authorization } : {},
      });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await response.json()).toMatchObject({ success: false, error: { code: "UNAUTHENTICATED" } });
    }
  });

  test("times answers by operation and status, never by raw URL, and times the database", async () => {
    const before = await scrape(server.url);
    const queriesBefore = sample(before, "medical_db_query_duration_seconds_count", { outcome: "ok" }) ?? 0;
    const id = crypto.randomUUID();
    expect((await fetch(`${server.url}/api/v1/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/api/v1/doctors/${id}`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/v1/no-such-route/${id}`)).status).toBe(404);
    const trpc = createTRPCClient<typeof appRouter>({
      links: [httpBatchLink({ url: `${server.url}/trpc`, transformer: superjson })],
    });
    await Promise.all([trpc.health.check.query(), trpc.health.live.query()]);
    await trpc.health.live.query();

    const text = await scrape(server.url);
    const count = (operation: string, status: string) =>
      sample(text, "medical_http_request_duration_seconds_count", { operation, status });
    expect(count("health-check", "200")).toBe(1);
    expect(count("doctors-get", "404")).toBe(1);
    expect(count("not_found", "404")).toBe(1);
    expect(count("trpc.batch", "200")).toBe(1);
    expect(count("health.live", "200")).toBe(1);
    expect(count("metrics", "200")).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(id);
    expect(text).not.toContain("no-such-route");
    expect(
      sample(text, "medical_http_request_duration_seconds_bucket", { operation: "health-check", le: "+Inf" }),
    ).toBe(1);

    expect(sample(text, "medical_db_query_duration_seconds_count", { outcome: "ok" })).toBeGreaterThan(
      queriesBefore,
    );
    expect(sample(text, "medical_db_pool_max_connections")).toBe(server.handle.kind === "pglite" ? 1 : 5);
    expect(sample(text, "medical_db_queries_in_flight")).toBe(0);
    expect(sample(text, "nodejs_eventloop_lag_seconds")).toBeGreaterThanOrEqual(0);
  });

  test("counts open WebSockets and subscriptions as they open and close", async () => {
    const gauges = async () => {
      const text = await scrape(server.url);
      return {
        sockets: sample(text, "medical_websockets_open"),
        subscriptions: sample(text, "medical_subscriptions_open"),
      };
    };
    expect(await gauges()).toEqual({ sockets: 0, subscriptions: 0 });
    const user = await makeUser(server.handle.db);
    const { accessToken } = await callerFor(server.deps).auth.login({
      email: user.email,
      password: TEST_PASSWORD,
    });
    const wsClient = createWSClient({
      url: `${server.url.replace("http", "ws")}/trpc`,
      WebSocket: clientWebSocket,
      connectionParams: () => ({ token: accessToken }),
      retryDelayMs: () => 60_000,
    });
    const client = createTRPCClient<typeof appRouter>({
      links: [wsLink({ client: wsClient, transformer: superjson })],
    });
    try {
      const subscription = await new Promise<{ unsubscribe(): void }>((resolve, reject) => {
        const opened = client.auth.onSessionEvent.subscribe(undefined, {
          onStarted: () => resolve(opened),
          onError: reject,
        });
      });
      expect(await gauges()).toEqual({ sockets: 1, subscriptions: 1 });
      subscription.unsubscribe();
      await expect.poll(gauges, { interval: 20 }).toEqual({ sockets: 1, subscriptions: 0 });
    } finally {
      await wsClient.close();
    }
    await expect.poll(gauges, { interval: 20 }).toEqual({ sockets: 0, subscriptions: 0 });
  });

  test("counts open SSE streams as they open and close", async () => {
    const streams = async () => sample(await scrape(server.url), "medical_sse_streams_open");
    expect(await streams()).toBe(0);
    const user = await makeUser(server.handle.db);
    const { accessToken } = await callerFor(server.deps).auth.login({
      email: user.email,
      password: TEST_PASSWORD,
    });
    const client = sseClient(server.url, accessToken);
    const subscription = await new Promise<{ unsubscribe(): void }>((resolve, reject) => {
      const opened = client.notifications.onEvent.subscribe(undefined, {
        onStarted: () => resolve(opened),
        onError: reject,
      });
    });
    expect(await streams()).toBe(1);
    subscription.unsubscribe();
    await expect.poll(streams, { interval: 20 }).toBe(0);
  });

  test("counts a rate-limit refusal by operation after a 429", async () => {
    const tight = await startTestServer({
      router: appRouter,
      handle: server.handle,
      deps: {
        settings: { rateLimits: { ...testSettings.rateLimits, public: [{ points: 1, durationMs: 60_000 }] } },
      },
      metrics: { token: TOKEN, host: "127.0.0.1" },
    });
    try {
      const refused = () => sample(text, "medical_rate_limited_total", { operation: "doctors-search" });
      let text = await scrape(tight.url);
      expect(refused()).toBeUndefined();
      expect((await fetch(`${tight.url}/api/v1/doctors?limit=1`)).status).toBe(200);
      expect((await fetch(`${tight.url}/api/v1/doctors?limit=1`)).status).toBe(429);
      text = await scrape(tight.url);
      expect(refused()).toBe(1);
      expect(
        sample(text, "medical_http_request_duration_seconds_count", {
          operation: "doctors-search",
          status: "429",
        }),
      ).toBe(1);
    } finally {
      await tight.shutdown();
    }
  });
});

describe("/metrics on its own port (METRICS_PORT)", () => {
  test("is served there without a token and not on the main port", async () => {
    const separate = await startTestServer({
      router: appRouter,
      handle: server.handle,
      metrics: { port: 0, host: "127.0.0.1" },
    });
    try {
      expect(separate.metricsUrl).toBeDefined();
      const text = await scrape(separate.metricsUrl ?? "", undefined);
      expect(sample(text, "medical_websockets_open")).toBe(0);
      expect((await fetch(`${separate.metricsUrl}/`)).status).toBe(404);
      expect((await fetch(`${separate.url}/metrics`)).status).toBe(404);
    } finally {
      await separate.shutdown();
    }
  });
});

describe("without METRICS_TOKEN or METRICS_PORT", () => {
  test("/metrics is not served", async () => {
    const plain = await startTestServer({ router: appRouter, handle: server.handle });
    try {
      const response = await fetch(`${plain.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status).toBe(404);
      expect(plain.metricsUrl).toBeUndefined();
    } finally {
      await plain.shutdown();
    }
  });
});
