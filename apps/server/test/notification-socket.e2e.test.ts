import { once } from "node:events";
import { appRouter } from "@medical/api";
import { makeNotification, TEST_PASSWORD } from "@medical/api/testing";
import { notifications } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import {
  CLOSE_AUTH_TIMEOUT,
  CLOSE_POLICY,
  MAX_PLAIN_FRAME_BYTES,
  NOTIFICATION_SOCKET_PATH,
} from "../src/notification-socket.ts";
import { CLOSE_SESSION_ENDED } from "../src/session-guard.ts";
import { CLOSE_TOO_MANY_SOCKETS } from "../src/socket-gate.ts";
import { CLOSE_SERVICE_RESTART } from "../src/ws.ts";
import { notificationWorld } from "./support/notifications.ts";
import { restClient } from "./support/rest.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

const AUTH_TIMEOUT_MS = 300;
const FRAMES_PER_WINDOW = 8;
/** The clock of the main server runs this far ahead of the wall clock: tickets expire without a wait. */
let clockAhead = 0;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    router: appRouter,
    deps: { clock: { now: () => new Date(Date.now() + clockAhead) } },
    plainSocket: { authTimeoutMs: AUTH_TIMEOUT_MS, frames: { max: FRAMES_PER_WINDOW, windowMs: 60_000 } },
  });
});
afterAll(() => server.close());

const client = restClient(() => server.url);
const world = () => notificationWorld(server, client);

type Frame =
  | { type: "event"; id: string; data: { id: string; title: string; position: number } }
  | { type: "error"; code: string; message: string };

/** A plain socket as a client sees it: the frames received, awaitable by count, and its close. */
interface Plain {
  ws: WebSocket;
  frames: Frame[];
  until(count: number): Promise<Frame[]>;
  closed: Promise<{ code: number; reason: string }>;
}

const opened: WebSocket[] = [];
afterEach(async () => {
  await Promise.all(
    opened.splice(0).map(async (ws) => {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.terminate();
      await once(ws, "close");
    }),
  );
});

function socketUrl(base: string, query: Record<string, string> = {}): string {
  const search = new URLSearchParams(query).toString();
  return `${base.replace("http", "ws")}${NOTIFICATION_SOCKET_PATH}${search ? `?${search}` : ""}`;
}

/** Opens the socket: the upgrade's HTTP status when refused, the socket when accepted. */
async function open(
  query: Record<string, string> = {},
  options: { headers?: Record<string, string>; base?: string; autoPong?: boolean } = {},
): Promise<Plain | number> {
  const ws = new WebSocket(socketUrl(options.base ?? server.url, query), {
    headers: options.headers ?? {},
    autoPong: options.autoPong ?? true,
  });
  const frames: Frame[] = [];
  const waiters: (() => void)[] = [];
  ws.on("message", (data) => {
    frames.push(JSON.parse(data.toString()));
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const outcome = await new Promise<"open" | number>((resolve, reject) => {
    ws.once("open", () => resolve("open"));
    ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    ws.once("error", reject);
  });
  if (outcome !== "open") return outcome;
  opened.push(ws);
  const until = async (count: number) => {
    while (frames.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    return frames.slice();
  };
  return { ws, frames, until, closed };
}

async function accepted(...args: Parameters<typeof open>): Promise<Plain> {
  const socket = await open(...args);
  if (typeof socket === "number") throw new Error(`the upgrade was refused with ${socket}`);
  return socket;
}

async function ticketFor(token: string): Promise<string> {
  const issued = await client.rest("/realtime/ticket", { token, method: "POST" });
  expect(issued.status).toBe(200);
  expect(issued.body.data.expiresIn).toBe(30);
  return String(issued.body.data.ticket);
}

const titles = (frames: Frame[]) =>
  frames.map((frame) => (frame.type === "event" ? frame.data.title : frame.code));

/**
 * Waits until a socket opened without `lastEventId` streams: announces until one arrives (the
 * first ones may predate its "now"), then forgets what arrived.
 */
async function streaming(socket: Plain, announce: (title: string) => Promise<void>): Promise<void> {
  await expect
    .poll(
      async () => {
        if (socket.frames.length === 0) await announce("Prêt");
        return socket.frames.length;
      },
      { interval: 20, timeout: 10_000 },
    )
    .toBeGreaterThan(0);
  expect(titles(socket.frames).every((title) => title === "Prêt")).toBe(true);
  socket.frames.splice(0);
}

describe("the plain notification socket", () => {
  test("each way of signing in gets the caller's events as {type, id, data}, id being the position", async () => {
    const w = await world();
    const since = { lastEventId: String((await makeNotification(w.db, { userId: w.patient.id })).position) };
    const ways = [
      await accepted(since, { headers: { authorization: `Bearer ${w.tokens.patient}` } }),
      await accepted({ ...since, ticket: await ticketFor(w.tokens.patient) }),
      await accepted({ ...since, token: w.tokens.patient }),
      await accepted(since),
    ];
    ways[3]?.ws.send(JSON.stringify({ type: "auth", token: w.tokens.patient }));

    await w.announce(w.patient.id, "Pour tous");
    for (const socket of ways) {
      const [frame] = await socket.until(1);
      expect(frame).toMatchObject({ type: "event", data: { title: "Pour tous", isRead: false } });
      if (frame?.type !== "event") throw new Error("not an event");
      expect(frame.id).toBe(String(frame.data.position));
    }
  });

  test("resumes after ?lastEventId= with exactly what was missed, in order, then live; without it, from now on", async () => {
    const w = await world();
    const earlier = await makeNotification(w.db, { userId: w.patient.id, title: "Avant" });
    const bearer = { headers: { authorization: `Bearer ${w.tokens.patient}` } };

    const first = await accepted({ lastEventId: String(earlier.position - 1) }, bearer);
    expect(titles(await first.until(1))).toEqual(["Avant"]);
    // Without lastEventId, from now on: never "Avant".
    const fromNow = await accepted({}, bearer);
    await streaming(fromNow, (title) => w.announce(w.patient.id, title));
    first.frames.splice(1);
    await w.announce(w.patient.id, "Un");
    const seen = await first.until(2);
    expect(titles(seen)).toEqual(["Avant", "Un"]);
    expect(titles(await fromNow.until(1))).toEqual(["Un"]);

    // Cut mid-stream; two are announced while no socket is open.
    first.ws.terminate();
    await first.closed;
    await w.announce(w.patient.id, "Manqué 1");
    await w.announce(w.patient.id, "Manqué 2");
    const last = seen.at(-1);
    if (last?.type !== "event") throw new Error("not an event");
    const resumed = await accepted({ lastEventId: last.id }, bearer);
    expect(titles(await resumed.until(2))).toEqual(["Manqué 1", "Manqué 2"]);
    await w.announce(w.patient.id, "Après");
    const after = await resumed.until(3);
    expect(titles(after)).toEqual(["Manqué 1", "Manqué 2", "Après"]);
    const ids = [...seen, ...after].map((frame) => (frame.type === "event" ? Number(frame.id) : Number.NaN));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  test("another user's notifications never reach a socket", async () => {
    const w = await world();
    await makeNotification(w.db, { userId: w.other.id, title: "À l'autre, avant" });
    const mine = await accepted(
      { lastEventId: "0" },
      { headers: { authorization: `Bearer ${w.tokens.patient}` } },
    );
    await w.announce(w.other.id, "À l'autre");
    await w.announce(w.patient.id, "À moi");
    await expect.poll(() => titles(mine.frames), { interval: 20 }).toContain("À moi");
    const others = await w.db
      .select({ id: notifications.id })
      .from(notifications)
      .where(eq(notifications.userId, w.other.id));
    expect(others.length).toBeGreaterThanOrEqual(2);
    const received = mine.frames.map((frame) => (frame.type === "event" ? frame.data.id : frame.code));
    for (const { id } of others) expect(received).not.toContain(id);
  });

  test("a ticket opens one socket, within 30 seconds, and a foreign page cannot spend it", async () => {
    const w = await world();
    const ticket = await ticketFor(w.tokens.patient);
    expect(await open({ ticket }, { headers: { origin: "https://evil.example" } })).toBe(403);
    await accepted({ ticket }, { headers: { origin: "http://localhost:5173" } });
    expect(await open({ ticket })).toBe(401);

    const late = await ticketFor(w.tokens.patient);
    clockAhead = 30_000;
    try {
      expect(await open({ ticket: late })).toBe(401);
    } finally {
      clockAhead = 0;
    }
  });

  test("refusals decided before the upgrade are HTTP statuses", async () => {
    const w = await world();
    const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    expect(await open({}, bearer("not-a-token"))).toBe(401);
    expect(await open({}, { headers: { authorization: `Basic ${w.tokens.patient}` } })).toBe(401);
    expect(await open({ ticket: "not-a-ticket" })).toBe(401);
    expect(await open({ token: "not-a-token" })).toBe(401);
    expect(
      await open(
        {},
        {
          ...bearer(w.tokens.patient),
          headers: { ...bearer(w.tokens.patient).headers, origin: "https://evil.example" },
        },
      ),
    ).toBe(403);
    for (const lastEventId of ["abc", "-1", "01", "1".repeat(16), ""])
      expect(await open({ lastEventId }, bearer(w.tokens.patient))).toBe(400);
  });

  test(`no auth frame within the deadline closes with ${CLOSE_AUTH_TIMEOUT}; a bad token in one with ${CLOSE_SESSION_ENDED}`, async () => {
    const silent = await accepted();
    expect((await silent.closed).code).toBe(CLOSE_AUTH_TIMEOUT);
    const wrong = await accepted();
    wrong.ws.send(JSON.stringify({ type: "auth", token: "not-a-token" }));
    expect((await wrong.closed).code).toBe(CLOSE_SESSION_ENDED);
  });

  test(`a logout closes the session's sockets with ${CLOSE_SESSION_ENDED}, whichever way they signed in`, async () => {
    const w = await world();
    const session = await client.rest("/auth/login", {
      json: { email: w.patient.email, password: TEST_PASSWORD },
    });
    const { accessToken, refreshToken } = session.body.data;
    const byHeader = await accepted({}, { headers: { authorization: `Bearer ${accessToken}` } });
    const byTicket = await accepted({ ticket: await ticketFor(accessToken) });
    // Signed in once its backlog arrives.
    const mark = await makeNotification(w.db, { userId: w.patient.id });
    const byFrame = await accepted({ lastEventId: String(mark.position - 1) });
    byFrame.ws.send(JSON.stringify({ type: "auth", token: accessToken }));
    await byFrame.until(1);
    // Another session of the same user stays open.
    const otherSession = await accepted({}, { headers: { authorization: `Bearer ${w.tokens.patient}` } });

    expect((await client.rest("/auth/logout", { json: { refreshToken } })).status).toBe(200);
    for (const socket of [byHeader, byTicket, byFrame])
      expect((await socket.closed).code).toBe(CLOSE_SESSION_ENDED);
    expect(otherSession.ws.readyState).toBe(WebSocket.OPEN);
  });

  test(`a ticket's socket closes with ${CLOSE_SESSION_ENDED} when the access token it was asked with expires`, async () => {
    const w = await world();
    const session = await client.rest("/auth/login", {
      json: { email: w.patient.email, password: TEST_PASSWORD },
    });
    const accessToken = String(session.body.data.accessToken);
    const { exp } = JSON.parse(Buffer.from(accessToken.split(".")[1] ?? "", "base64url").toString());
    // Asked for with two seconds of the token left.
    clockAhead = exp * 1000 - Date.now() - 2000;
    try {
      const socket = await accepted({ ticket: await ticketFor(accessToken) });
      expect(await socket.closed).toEqual({ code: CLOSE_SESSION_ENDED, reason: "Access token expired" });
    } finally {
      clockAhead = 0;
    }
  });

  test("malformed frames get an error frame, not a crash; too big a frame closes with 1009", async () => {
    const w = await world();
    const socket = await accepted({}, { headers: { authorization: `Bearer ${w.tokens.patient}` } });
    socket.ws.send("not json");
    socket.ws.send(JSON.stringify({ type: "subscribe" }));
    socket.ws.send(Buffer.from([1, 2, 3]));
    socket.ws.send(JSON.stringify({ type: "auth", token: w.tokens.patient }));
    expect(titles(await socket.until(4))).toEqual([
      "BAD_FRAME",
      "BAD_FRAME",
      "BAD_FRAME",
      "ALREADY_AUTHENTICATED",
    ]);
    await w.announce(w.patient.id, "Toujours là");
    expect(titles(await socket.until(5)).at(-1)).toBe("Toujours là");

    socket.ws.send("x".repeat(MAX_PLAIN_FRAME_BYTES + 1));
    expect((await socket.closed).code).toBe(1009);
    // The server still serves.
    await accepted({}, { headers: { authorization: `Bearer ${w.tokens.patient}` } });
  });

  test(`more than ${FRAMES_PER_WINDOW} frames in a window close the socket with ${CLOSE_POLICY}`, async () => {
    const w = await world();
    const socket = await accepted({}, { headers: { authorization: `Bearer ${w.tokens.patient}` } });
    for (let i = 0; i <= FRAMES_PER_WINDOW; i++) socket.ws.send("{}");
    expect((await socket.closed).code).toBe(CLOSE_POLICY);
  });

  test("a ?token= or a ticket is never written to the log", async () => {
    const w = await world();
    const ticket = await ticketFor(w.tokens.other);
    await accepted({ token: w.tokens.patient });
    await accepted({ ticket });
    expect(await open({ token: `${w.tokens.other}x` })).toBe(401);
    expect(await open({ ticket })).toBe(401);
    expect(server.logs.text).toContain(NOTIFICATION_SOCKET_PATH);
    for (const secret of [w.tokens.patient, w.tokens.other, ticket])
      expect(server.logs.text).not.toContain(secret);
  });
});

describe("the plain notification socket's caps, heartbeat and restart", () => {
  test("shares the per-user cap with /trpc, drops a peer that stops answering pings, and closes with 1012 at shutdown", async () => {
    const capped = await startTestServer({
      router: appRouter,
      handle: server.handle,
      webSockets: { maxSocketsPerUser: 2 },
      plainSocket: { heartbeatMs: 500 },
    });
    let shutDown = false;
    try {
      const w = await world();
      const bearer = { headers: { authorization: `Bearer ${w.tokens.patient}` } };
      const trpc = new WebSocket(`${capped.url.replace("http", "ws")}/trpc`, bearer);
      opened.push(trpc);
      await once(trpc, "open");
      const plain = await accepted({}, { ...bearer, base: capped.url });
      expect(await open({}, { ...bearer, base: capped.url })).toBe(429);
      const byFrame = await accepted({}, { base: capped.url });
      byFrame.ws.send(JSON.stringify({ type: "auth", token: w.tokens.patient }));
      expect((await byFrame.closed).code).toBe(CLOSE_TOO_MANY_SOCKETS);

      const deaf = await accepted(
        {},
        { headers: { authorization: `Bearer ${w.tokens.other}` }, base: capped.url, autoPong: false },
      );
      expect((await deaf.closed).code).toBe(1006);
      expect(plain.ws.readyState).toBe(WebSocket.OPEN);

      const restarting = capped.shutdown();
      shutDown = true;
      expect((await plain.closed).code).toBe(CLOSE_SERVICE_RESTART);
      await restarting;
    } finally {
      if (!shutDown) await capped.shutdown();
    }
  });
});
