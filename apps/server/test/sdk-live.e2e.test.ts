import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { appRouter } from "@medical/api";
import { TEST_PASSWORD } from "@medical/api/testing";
import { createMedicalClient, type LiveNotifications, type MedicalClient } from "@medical/sdk";
import { EventSource } from "eventsource";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { arrivals, notificationWorld } from "./support/notifications.ts";
import { restClient } from "./support/rest.ts";
import { clientWebSocket, startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
/** Same database and event bus, access tokens that expire within two seconds. */
let shortLived: TestServer;
/** The server side of every open subscription connection (a socket's or an SSE stream's), to cut. */
const connections = new Set<{ destroy(): void }>();
beforeAll(async () => {
  server = await startTestServer({ router: appRouter });
  shortLived = await startTestServer({
    router: appRouter,
    handle: server.handle,
    deps: { events: server.deps.events, accessTtlMs: 2_000 },
  });
  const track = (connection: Duplex | ServerResponse) => {
    connections.add(connection);
    connection.once("close", () => connections.delete(connection));
  };
  server.server.on("upgrade", (_req: IncomingMessage, socket: Duplex) => track(socket));
  server.server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.accept === "text/event-stream") track(res);
  });
});
afterAll(async () => {
  await shortLived.shutdown(); // the database belongs to `server`
  await server.close();
});

/** While held, the SDK's (re)connections fail or wait: a test acts while the client is cut off. */
let held: { released: Promise<void>; release(): void } | undefined;
function hold() {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  held = { released, release };
}
function release() {
  held?.release();
  held = undefined;
}

/** Opens a refused connection while held: the WebSocket link retries until it is released. */
class HeldWebSocket extends clientWebSocket {
  constructor(...[url, protocols]: ConstructorParameters<typeof clientWebSocket>) {
    super(held ? "ws://127.0.0.1:9/" : url, protocols);
  }
}

/** Waits before each (re)connection while held; records the Last-Event-ID each one sent. */
const lastEventIds: (string | null)[] = [];
class HeldEventSource extends EventSource {
  constructor(url: string | URL, init?: ConstructorParameters<typeof EventSource>[1]) {
    super(url, {
      ...init,
      fetch: async (input, options) => {
        await held?.released;
        lastEventIds.push(new Headers(options?.headers).get("last-event-id"));
        return fetch(input, options);
      },
    });
  }
}

const clients: MedicalClient[] = [];
const lives: LiveNotifications[] = [];
afterEach(async () => {
  release();
  lastEventIds.length = 0;
  for (const live of lives.splice(0)) live.stop();
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function world(transport: "websocket" | "sse", on: TestServer = server) {
  const w = await notificationWorld(
    server,
    restClient(() => server.url),
  );
  const client = createMedicalClient({
    url: on.url,
    subscriptions: transport,
    WebSocket: HeldWebSocket,
    EventSource: HeldEventSource,
  });
  clients.push(client);
  await client.login(w.patient.email, TEST_PASSWORD);
  return { client, announce: (title: string) => w.announce(w.patient.id, title) };
}

/** `client.notifications.live` from the start of the account, awaitable by count. */
function live(client: MedicalClient) {
  const received: { id: string; title: string; position: number }[] = [];
  const { arrived, waitFor } = arrivals();
  let failure: { data?: { code?: string } | null } | undefined;
  const handle = client.notifications.live({
    lastEventId: "0",
    onNotification: (notification, id) => {
      received.push({ id, title: notification.title, position: notification.position });
      arrived();
    },
    onError: (error) => {
      failure = error;
      arrived();
    },
  });
  lives.push(handle);
  return {
    handle,
    received,
    /** Resolves once a notification titled `title` has arrived. */
    until: (title: string) =>
      waitFor(() => (received.some((event) => event.title === title) ? true : undefined)),
    failed: () => waitFor(() => failure),
  };
}

describe.each(["websocket", "sse"] as const)("client.notifications.live over %s", (transport) => {
  test("after a cut, delivers exactly the notifications created while cut off, once, in order", async () => {
    const w = await world(transport);
    const stream = live(w.client);
    await w.announce("Un");
    await stream.until("Un");

    hold();
    for (const connection of connections) connection.destroy();
    await w.announce("Deux");
    await w.announce("Trois");
    release();
    await stream.until("Trois");
    await w.announce("Quatre");
    await stream.until("Quatre");

    const titles = stream.received.map((event) => event.title);
    expect(titles.filter((title) => ["Un", "Deux", "Trois", "Quatre"].includes(title))).toEqual([
      "Un",
      "Deux",
      "Trois",
      "Quatre",
    ]);
    // Everything the account has, each once and in order: the sign-in notices too.
    const list = await w.client.api.notifications.list.query({});
    expect(stream.received.map((event) => event.position)).toEqual(
      list.items.map((item) => item.position).sort((a, b) => a - b),
    );
    expect(stream.received.map((event) => event.id)).toEqual(
      stream.received.map((event) => String(event.position)),
    );
    expect(stream.handle.lastEventId()).toBe(stream.received.at(-1)?.id);
    if (transport === "sse")
      expect(lastEventIds.at(-1)).toBe(stream.received.find((e) => e.title === "Un")?.id);
  });

  test("a logout elsewhere ends the stream with UNAUTHORIZED and empties the token store", async () => {
    const w = await world(transport);
    const stream = live(w.client);
    await w.announce("Un");
    await stream.until("Un");
    const token = w.client.tokens.get()?.accessToken;
    const logout = await fetch(`${server.url}/api/v1/auth/logout-all`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(logout.status).toBe(200);
    if (transport === "sse") expect((await stream.failed()).data?.code).toBe("UNAUTHORIZED");
    await expect.poll(() => w.client.tokens.get()).toBeNull();
  });
});

describe("client.notifications.live over sse with short-lived access tokens", () => {
  test("an expiring token ends the stream; the client refreshes and resumes after the last id", async () => {
    const w = await world("sse", shortLived);
    const stream = live(w.client);
    await w.announce("Un");
    await stream.until("Un");
    const first = w.client.tokens.get()?.accessToken;
    // The server ends the stream with TOKEN_EXPIRED; the SDK refreshes and opens a new one.
    await expect.poll(() => w.client.tokens.get()?.accessToken, { timeout: 10_000 }).not.toBe(first);
    await w.announce("Deux");
    await stream.until("Deux");
    expect(lastEventIds.length).toBeGreaterThanOrEqual(2);
    const positions = stream.received.map((event) => event.position);
    expect(new Set(positions).size).toBe(positions.length);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(
      stream.received.filter((event) => ["Un", "Deux"].includes(event.title)).map((e) => e.title),
    ).toEqual(["Un", "Deux"]);
  });
});
