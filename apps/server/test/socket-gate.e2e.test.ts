import { once } from "node:events";
import { callerFor, makeUser, TEST_PASSWORD } from "@medical/api/testing";
import { createTRPCClient, createWSClient, type TRPCClientError, wsLink } from "@trpc/client";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { CLOSE_TOO_MANY_SOCKETS } from "../src/socket-gate.ts";
import { createProbeRouter } from "./support/probe-router.ts";
import { clientWebSocket, startTestServer, type TestServer } from "./support/test-server.ts";

const SOCKETS_PER_USER = 2;
const SUBSCRIPTIONS_PER_SOCKET = 2;
const SOCKETS_PER_IP = 2;

let server: TestServer;
let perIpServer: TestServer;
beforeAll(async () => {
  [server, perIpServer] = await Promise.all([
    startTestServer({
      router: createProbeRouter(),
      webSockets: {
        maxSocketsPerUser: SOCKETS_PER_USER,
        maxSubscriptionsPerSocket: SUBSCRIPTIONS_PER_SOCKET,
      },
    }),
    startTestServer({ webSockets: { maxSocketsPerIp: SOCKETS_PER_IP } }),
  ]);
});
afterAll(() => Promise.all([server.close(), perIpServer.close()]));

const wsUrl = (base: string) => `${base.replace("http", "ws")}/trpc`;

async function accessToken(): Promise<string> {
  const user = await makeUser(server.handle.db);
  return (await callerFor(server.deps).auth.login({ email: user.email, password: TEST_PASSWORD }))
    .accessToken;
}

/** Opens a plain socket; the upgrade's status when refused, "open" when accepted. */
async function connect(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ socket: WebSocket; outcome: "open" | number }> {
  const socket = new WebSocket(url, { headers });
  const outcome = await new Promise<"open" | number>((resolve, reject) => {
    socket.once("open", () => resolve("open"));
    socket.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    socket.once("error", reject);
  });
  return { socket, outcome };
}

const opened: WebSocket[] = [];
async function open(url: string, headers: Record<string, string> = {}): Promise<number | "open"> {
  const { socket, outcome } = await connect(url, headers);
  if (outcome === "open") opened.push(socket);
  return outcome;
}
async function closeAll(): Promise<void> {
  await Promise.all(
    opened.splice(0).map(async (socket) => {
      if (socket.readyState === WebSocket.CLOSED) return;
      socket.close();
      await once(socket, "close");
    }),
  );
}

describe("the Origin of a WebSocket upgrade", () => {
  test("a browser Origin outside CORS_ORIGINS is refused with 403 before the upgrade", async () => {
    try {
      expect(await open(wsUrl(server.url), { origin: "https://evil.example" })).toBe(403);
      expect(await open(wsUrl(server.url), { origin: "http://localhost:5173" })).toBe("open");
      // Non-browser clients (the SDK on Node, mobile apps) send no Origin.
      expect(await open(wsUrl(server.url))).toBe("open");
    } finally {
      await closeAll();
    }
  });
});

describe(`at most ${SOCKETS_PER_USER} sockets per user`, () => {
  test("a user's next socket is refused with 429 when the token is in the header or the URL, and admitted again once one closes", async () => {
    const token = await accessToken();
    try {
      const byHeader = { authorization: `Bearer ${token}` };
      expect(await open(wsUrl(server.url), byHeader)).toBe("open");
      expect(await open(`${wsUrl(server.url)}?token=${token}`)).toBe("open");
      expect(await open(wsUrl(server.url), byHeader)).toBe(429);
      expect(await open(`${wsUrl(server.url)}?token=${token}`)).toBe(429);
      // Another user and anonymous clients are not affected.
      expect(await open(wsUrl(server.url), { authorization: `Bearer ${await accessToken()}` })).toBe("open");
      expect(await open(wsUrl(server.url))).toBe("open");

      const first = opened[0];
      first?.close();
      if (first) await once(first, "close");
      await expect.poll(() => open(wsUrl(server.url), byHeader), { interval: 20 }).toBe("open");
    } finally {
      await closeAll();
    }
  });

  test(`a socket whose connectionParams name a user already at the cap is closed with ${CLOSE_TOO_MANY_SOCKETS}`, async () => {
    const token = await accessToken();
    try {
      for (let i = 0; i < SOCKETS_PER_USER; i++)
        expect(await open(wsUrl(server.url), { authorization: `Bearer ${token}` })).toBe("open");
      const { socket, outcome } = await connect(`${wsUrl(server.url)}?connectionParams=1`);
      expect(outcome).toBe("open");
      socket.send(JSON.stringify({ method: "connectionParams", data: { token } }));
      const [code] = await once(socket, "close");
      expect(code).toBe(CLOSE_TOO_MANY_SOCKETS);
    } finally {
      await closeAll();
    }
  });
});

describe(`at most ${SUBSCRIPTIONS_PER_SOCKET} subscriptions per socket`, () => {
  type ProbeRouter = ReturnType<typeof createProbeRouter>;
  type Outcome = { outcome: "started" | string; unsubscribe: () => void; completed: Promise<void> };

  /** A tRPC client on one socket; `subscribe` settles once the server started or refused a subscription. */
  async function socketClient() {
    const token = await accessToken();
    const wsClient = createWSClient({
      url: wsUrl(server.url),
      WebSocket: clientWebSocket,
      connectionParams: () => ({ token }),
      retryDelayMs: () => 60_000,
    });
    const client = createTRPCClient<ProbeRouter>({
      links: [wsLink({ client: wsClient, transformer: superjson })],
    });
    const subscribe = (path: "sessionEvents" | "single") =>
      new Promise<Outcome>((resolve) => {
        let complete = () => {};
        const completed = new Promise<void>((done) => {
          complete = done;
        });
        const handlers = {
          onStarted: () =>
            resolve({ outcome: "started", unsubscribe: () => subscription.unsubscribe(), completed }),
          onComplete: () => complete(),
          onError: (error: TRPCClientError<ProbeRouter>) =>
            resolve({ outcome: error.data?.code ?? "unknown", unsubscribe: () => {}, completed }),
        };
        const subscription =
          path === "single"
            ? client.probe.single.subscribe(undefined, handlers)
            : client.auth.onSessionEvent.subscribe(undefined, handlers);
      });
    return { subscribe, close: () => wsClient.close() };
  }

  test("the next subscription is refused with TOO_MANY_REQUESTS; stopping one frees its place", async () => {
    const { subscribe, close } = await socketClient();
    try {
      const first = await subscribe("sessionEvents");
      expect(first.outcome).toBe("started");
      expect((await subscribe("sessionEvents")).outcome).toBe("started");
      expect((await subscribe("sessionEvents")).outcome).toBe("TOO_MANY_REQUESTS");
      first.unsubscribe();
      await expect
        .poll(async () => (await subscribe("sessionEvents")).outcome, { interval: 20 })
        .toBe("started");
    } finally {
      await close();
    }
  });

  test("a subscription that completes frees its place on the open socket", async () => {
    const { subscribe, close } = await socketClient();
    try {
      for (let i = 0; i <= SUBSCRIPTIONS_PER_SOCKET; i++) {
        const single = await subscribe("single");
        expect(single.outcome).toBe("started");
        await single.completed;
      }
      expect((await subscribe("sessionEvents")).outcome).toBe("started");
      expect((await subscribe("sessionEvents")).outcome).toBe("started");
    } finally {
      await close();
    }
  });
});

describe("subscriptions over HTTP (server-sent events)", () => {
  /** Opens auth.onSessionEvent as an SSE stream: the response, left open until `cancel`. */
  async function stream(base: string, headers: Record<string, string>, path = "auth.onSessionEvent") {
    const response = await fetch(`${base}/trpc/${path}`, {
      headers: { accept: "text/event-stream", ...headers },
    });
    return { status: response.status, cancel: () => response.body?.cancel() };
  }

  test("count with the user's sockets: a stream over the cap is 429, and so is a socket after streams", async () => {
    const token = await accessToken();
    const bearer = { authorization: `Bearer ${token}` };
    try {
      expect(await open(wsUrl(server.url), bearer)).toBe("open");
      const first = await stream(server.url, bearer);
      expect(first.status).toBe(200);
      expect((await stream(server.url, bearer)).status).toBe(429);
      expect(await open(wsUrl(server.url), bearer)).toBe(429);
      await first.cancel();
      await closeAll();
      // Both freed once the server has seen them close: streams alone now fill the cap.
      const streams: Awaited<ReturnType<typeof stream>>[] = [];
      await expect
        .poll(async () => {
          const next = await stream(server.url, bearer);
          if (next.status === 200) streams.push(next);
          return streams.length;
        })
        .toBe(2);
      expect(await open(wsUrl(server.url), bearer)).toBe(429);
      await Promise.all(streams.map((open) => open.cancel()));
    } finally {
      await closeAll();
    }
  });

  test("a browser Origin outside CORS_ORIGINS is refused with 403 before the stream", async () => {
    const token = await accessToken();
    const refused = await stream(server.url, {
      authorization: `Bearer ${token}`,
      origin: "https://evil.example",
    });
    expect(refused.status).toBe(403);
  });

  test("count against the address's cap", async () => {
    try {
      for (let i = 0; i < SOCKETS_PER_IP; i++) expect(await open(wsUrl(perIpServer.url))).toBe("open");
      // The probe router's subscription: refused before it runs.
      expect((await stream(perIpServer.url, {}, "probe.leakStream")).status).toBe(429);
    } finally {
      await closeAll();
    }
  });
});

describe(`WS_MAX_SOCKETS_PER_IP=${SOCKETS_PER_IP}`, () => {
  test("the address's next socket is refused with 429", async () => {
    try {
      for (let i = 0; i < SOCKETS_PER_IP; i++) expect(await open(wsUrl(perIpServer.url))).toBe("open");
      expect(await open(wsUrl(perIpServer.url))).toBe(429);
    } finally {
      await closeAll();
    }
  });
});
