import type { IncomingMessage, ServerResponse } from "node:http";
import { appRouter } from "@medical/api";
import { makePatient } from "@medical/api/testing";
import { createTRPCClient, httpSubscriptionLink, type TRPCClientError } from "@trpc/client";
import { EventSource } from "eventsource";
import superjson from "superjson";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { arrivals, notificationWorld } from "./support/notifications.ts";
import { restClient } from "./support/rest.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

const SOCKETS_PER_USER = 3;
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    router: appRouter,
    webSockets: { maxSocketsPerUser: SOCKETS_PER_USER },
  });
});
afterAll(() => server.close());

/** The server's responses to SSE requests still open, for a test to cut. */
const openStreams = new Set<ServerResponse>();
beforeAll(() => {
  server.server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.accept !== "text/event-stream") return;
    openStreams.add(res);
    res.once("close", () => openStreams.delete(res));
  });
});

const streams: { close(): void }[] = [];
afterEach(() => {
  for (const stream of streams.splice(0)) stream.close();
});

/** Resolvers the test releases by hand: a stream's reconnection waits for one. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/**
 * `notifications.onEvent` over SSE through tRPC's httpSubscriptionLink, the token in
 * connectionParams (or the Authorization header). After `holdConnections`, a (re)connection waits
 * until `releaseConnections`, so a test can act while the stream is cut.
 */
function listen(token: string, options: { lastEventId?: string; header?: boolean } = {}) {
  const received: { id: string; title: string; position: number }[] = [];
  const lastEventIds: (string | null)[] = [];
  let held: ReturnType<typeof gate> | undefined;
  const { arrived, waitFor } = arrivals();
  let failure: TRPCClientError<typeof appRouter> | undefined;
  const client = createTRPCClient<typeof appRouter>({
    links: [
      httpSubscriptionLink({
        url: `${server.url}/trpc`,
        transformer: superjson,
        EventSource,
        ...(options.header ? {} : { connectionParams: () => ({ token }) }),
        eventSourceOptions: () => ({
          fetch: async (url, init) => {
            await held?.opened;
            const headers = new Headers(init?.headers);
            lastEventIds.push(headers.get("last-event-id"));
            if (options.header) headers.set("authorization", `Bearer ${token}`);
            return fetch(url, { ...init, headers });
          },
        }),
      }),
    ],
  });
  let markStarted = () => {};
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  const subscription = client.notifications.onEvent.subscribe(
    options.lastEventId === undefined ? undefined : { lastEventId: options.lastEventId },
    {
      onStarted: () => markStarted(),
      onData: ({ id, data }) => {
        received.push({ id, title: data.title, position: data.position });
        arrived();
      },
      onError: (error: TRPCClientError<typeof appRouter>) => {
        failure = error;
        arrived();
      },
    },
  );
  const close = () => subscription.unsubscribe();
  streams.push({ close });
  return {
    received,
    lastEventIds,
    started,
    /** Resolves once `count` events have arrived in all. */
    until: (count: number) => waitFor(() => (received.length >= count ? received.slice() : undefined)),
    /** The error that ended the subscription, once there is one. */
    failed: () => waitFor(() => failure),
    holdConnections() {
      held = gate();
    },
    releaseConnections() {
      held?.open();
      held = undefined;
    },
    close,
  };
}

/** A raw SSE request for onEvent, as an EventSource would send it; the answer's status. */
async function rawStatus(token: string): Promise<number> {
  const params = encodeURIComponent(JSON.stringify({ token }));
  const response = await fetch(`${server.url}/trpc/notifications.onEvent?connectionParams=${params}`, {
    headers: { accept: "text/event-stream" },
  });
  await response.body?.cancel();
  return response.status;
}

describe("notifications.onEvent over SSE (httpSubscriptionLink)", () => {
  test("sends live notifications, and after a cut resumes from Last-Event-ID with exactly what was missed", async () => {
    const w = await notificationWorld(
      server,
      restClient(() => server.url),
    );
    const patient = listen(w.tokens.patient);
    const other = listen(w.tokens.other, { header: true });
    await Promise.all([patient.started, other.started]);
    await w.announce(w.patient.id, "En direct");
    const [live] = await patient.until(1);
    expect(live?.title).toBe("En direct");

    // Cut the streams' connections: the EventSource reconnects on its own, held until the misses exist.
    patient.holdConnections();
    other.holdConnections();
    for (const response of openStreams) response.destroy();
    await w.announce(w.patient.id, "Manqué 1");
    await w.announce(w.patient.id, "Manqué 2");
    patient.releaseConnections();
    other.releaseConnections();
    const resumed = await patient.until(3);
    expect(patient.lastEventIds).toEqual([null, live?.id]);
    await w.announce(w.patient.id, "Après");
    const all = await patient.until(4);
    expect(all.map((event) => event.title)).toEqual(["En direct", "Manqué 1", "Manqué 2", "Après"]);
    expect(resumed.map((event) => event.id)).toEqual(resumed.map((event) => String(event.position)));
    const positions = all.map((event) => event.position);
    expect(new Set(positions).size).toBe(positions.length);

    // The bearer-header stream got none of the patient's, and gets its own.
    await w.announce(w.other.id, "Pour l'autre");
    expect((await other.until(1)).map((event) => event.title)).toEqual(["Pour l'autre"]);
    expect(other.received).toHaveLength(1);
  });

  test("sends the backlog after a given lastEventId", async () => {
    const w = await notificationWorld(
      server,
      restClient(() => server.url),
    );
    const first = listen(w.tokens.patient);
    await first.started;
    await w.announce(w.patient.id, "Un");
    const [one] = await first.until(1);
    await w.announce(w.patient.id, "Deux");
    await first.until(2);
    first.close();
    const resumed = listen(w.tokens.patient, { lastEventId: one?.id });
    expect((await resumed.until(1)).map((event) => event.title)).toEqual(["Deux"]);
  });

  test("a logout ends the open stream with UNAUTHORIZED, which the client does not retry", async () => {
    const w = await notificationWorld(
      server,
      restClient(() => server.url),
    );
    const patient = listen(w.tokens.patient);
    await patient.started;
    const logout = await fetch(`${server.url}/api/v1/auth/logout-all`, {
      method: "POST",
      headers: { authorization: `Bearer ${w.tokens.patient}` },
    });
    expect(logout.status).toBe(200);
    const error = await patient.failed();
    expect(error.data?.code).toBe("UNAUTHORIZED");
    expect(patient.lastEventIds).toHaveLength(1);
  });

  test("refuses an anonymous stream with UNAUTHORIZED", async () => {
    const anonymous = listen("not-a-token");
    expect((await anonymous.failed()).data?.code).toBe("UNAUTHORIZED");
  });

  test("counts streams with the user's sockets: over the cap is 429 before the stream starts", async () => {
    const w = await notificationWorld(
      server,
      restClient(() => server.url),
    );
    const open = Array.from({ length: SOCKETS_PER_USER }, () => listen(w.tokens.patient));
    await Promise.all(open.map((stream) => stream.started));
    expect(await rawStatus(w.tokens.patient)).toBe(429);
    // Another user is not affected, and a closed stream frees its place.
    const other = listen(w.tokens.other);
    await other.started;
    open[0]?.close();
    await expect.poll(() => rawStatus(w.tokens.patient)).toBe(200);
  });
});

describe("shutdown", () => {
  test("cuts open streams at once instead of waiting for the shutdown timeout", async () => {
    const own = await startTestServer({ router: appRouter, limits: { shutdownTimeoutMs: 60_000 } });
    try {
      const patient = (await makePatient(own.handle.db)).user;
      const token = await restClient(() => own.url).tokenOf(patient.email);
      const params = encodeURIComponent(JSON.stringify({ token }));
      const response = await fetch(`${own.url}/trpc/notifications.onEvent?connectionParams=${params}`, {
        headers: { accept: "text/event-stream" },
      });
      const reader = response.body?.getReader();
      const first = await reader?.read();
      expect(new TextDecoder().decode(first?.value)).toContain("event: connected");
      const ended = (async () => {
        for (;;) {
          const chunk = await reader?.read().catch(() => undefined);
          if (!chunk || chunk.done) return "ended";
        }
      })();
      await own.shutdown();
      expect(await ended).toBe("ended");
    } finally {
      await own.handle.close();
    }
  });
});
