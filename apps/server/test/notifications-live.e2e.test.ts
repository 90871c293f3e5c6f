import { appRouter } from "@medical/api";
import { makeNotification } from "@medical/api/testing";
import { createTRPCClient, createWSClient, type TRPCClientError, wsLink } from "@trpc/client";
import superjson from "superjson";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { notificationWorld } from "./support/notifications.ts";
import { restClient } from "./support/rest.ts";
import { clientWebSocket, startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ router: appRouter });
});
afterAll(() => server.close());

const sockets: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
});

/** A WebSocket client signed in with `token`; closing it cuts the socket. */
function connect(token: string) {
  const wsClient = createWSClient({
    url: `${server.url.replace("http", "ws")}/trpc`,
    WebSocket: clientWebSocket,
    connectionParams: () => ({ token }),
    retryDelayMs: () => 60_000,
  });
  sockets.push(wsClient);
  const client = createTRPCClient<typeof appRouter>({
    links: [wsLink({ client: wsClient, transformer: superjson })],
  });
  return { client, close: () => wsClient.close() };
}

/** `notifications.onEvent` on its own socket: what arrived (id and title), awaitable by count. */
function listen(token: string, lastEventId?: string) {
  const socket = connect(token);
  const received: { id: string; title: string; position: number }[] = [];
  const waiters: (() => void)[] = [];
  let failed: (code: string) => void = () => {};
  const refused = new Promise<string>((resolve) => {
    failed = resolve;
  });
  let markStarted = () => {};
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  socket.client.notifications.onEvent.subscribe(lastEventId === undefined ? undefined : { lastEventId }, {
    onStarted: () => markStarted(),
    onData: ({ id, data }) => {
      received.push({ id, title: data.title, position: data.position });
      for (const wake of waiters.splice(0)) wake();
    },
    onError: (error: TRPCClientError<typeof appRouter>) => failed(error.data?.code ?? "unknown"),
  });
  /** Resolves once `count` events have arrived in all. */
  const until = async (count: number) => {
    while (received.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    return received.slice();
  };
  return { received, until, started, refused, close: socket.close };
}

const world = () =>
  notificationWorld(
    server,
    restClient(() => server.url),
  );

describe("notifications.onEvent over a WebSocket", () => {
  test("sends the backlog, then live notifications; resumes after the last id with exactly what was missed", async () => {
    const w = await world();
    const before = await makeNotification(w.db, { userId: w.patient.id, title: "Avant" });
    await makeNotification(w.db, { userId: w.other.id, title: "Déjà vu" });

    const first = listen(w.tokens.patient, String(before.position - 1));
    // Without a lastEventId: from now on.
    const other = listen(w.tokens.other);
    await Promise.all([first.started, other.started]);
    await w.announce(w.patient.id, "En direct");
    const seen = await first.until(2);
    expect(seen.map((event) => event.title)).toEqual(["Avant", "En direct"]);
    // The id is the position, so a resume is exact.
    expect(seen.map((event) => event.id)).toEqual(seen.map((event) => String(event.position)));
    expect(seen[1]?.position).toBeGreaterThan(seen[0]?.position ?? Number.POSITIVE_INFINITY);

    await first.close();
    await w.announce(w.patient.id, "Manqué 1");
    await w.announce(w.patient.id, "Manqué 2");

    const resumed = listen(w.tokens.patient, seen[1]?.id);
    await resumed.started;
    expect((await resumed.until(2)).map((event) => event.title)).toEqual(["Manqué 1", "Manqué 2"]);
    await w.announce(w.patient.id, "Après");
    const after = await resumed.until(3);
    expect(after.map((event) => event.title)).toEqual(["Manqué 1", "Manqué 2", "Après"]);
    const positions = [...seen, ...after].map((event) => event.position);
    expect(new Set(positions).size).toBe(positions.length);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));

    // The other patient's first event is their new one: not their older one, and none of the patient's.
    await w.announce(w.other.id, "Pour l'autre");
    expect((await other.until(1)).map((event) => event.title)).toEqual(["Pour l'autre"]);
    expect(other.received).toHaveLength(1);
  });

  test.each(["abc", "-1", "1e3", "01", "1".repeat(16), ""])(
    "refuses lastEventId %j with BAD_REQUEST",
    async (lastEventId) => {
      const w = await world();
      const bad = listen(w.tokens.patient, lastEventId);
      expect(await bad.refused).toBe("BAD_REQUEST");
    },
  );

  test("refuses an anonymous socket", async () => {
    const anonymous = listen("not-a-token");
    expect(await anonymous.refused).toBe("UNAUTHORIZED");
  });
});
