import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import {
  type Actor,
  authenticate,
  bearerToken,
  type Deps,
  DomainError,
  notificationEvents,
  redeemTicket,
  reportError,
  ZLastEventId,
} from "@medical/api";
import { getTRPCErrorFromUnknown } from "@trpc/server";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import { z } from "zod";
import { loggedUrl } from "./http/access-log.ts";
import { rejectUpgrade, type UpgradeRefusal } from "./http/upgrade.ts";
import type { SessionGuard } from "./session-guard.ts";
import { CLOSE_SESSION_ENDED, socketConnection } from "./session-guard.ts";
import { CLOSE_TOO_MANY_SOCKETS, type SocketGate } from "./socket-gate.ts";

export const NOTIFICATION_SOCKET_PATH = "/api/v1/notifications/ws";
/** Largest client frame: the only one a client sends is `{type:"auth"}` with an access token. */
export const MAX_PLAIN_FRAME_BYTES = 4 * 1024;
/** Close code for a socket that sent no `auth` frame within the deadline. */
export const CLOSE_AUTH_TIMEOUT = 4408;
/** Close code for a client over its frame rate (RFC 6455 "policy violation"). */
export const CLOSE_POLICY = 1008;
const CLOSE_INTERNAL = 1011;

export interface PlainSocketTimings {
  /** How long an unauthenticated socket may wait for its `auth` frame. */
  authTimeoutMs: number;
  /** Ping period; a socket that has not answered the previous ping by the next is dropped. */
  heartbeatMs: number;
  /** Frames a client may send per window before the socket is closed with 1008. */
  frames: { max: number; windowMs: number };
}

export const DEFAULT_PLAIN_SOCKET_TIMINGS: PlainSocketTimings = {
  authTimeoutMs: 5_000,
  heartbeatMs: 30_000,
  frames: { max: 20, windowMs: 10_000 },
};

const ZAuthFrame = z.strictObject({ type: z.literal("auth"), token: z.string().min(1).max(2048) });

/**
 * A socket's own state, kept small (10k idle sockets are the target): the listeners are shared
 * functions, the timers shared sweeps. `stream` is set once the socket is authenticated.
 */
interface Subscriber {
  alive: boolean;
  frames: number;
  windowStart: number;
  stream?: AbortController;
}

/** A socket waiting for its `auth` frame: its request (the gate's count) and where it resumes. */
interface Pending {
  deadline: number;
  req: IncomingMessage;
  lastPosition: number | undefined;
  authenticating: boolean;
}

type Credential = { actor: Actor } | { status: 401 | 503 } | null;

export interface NotificationSocket {
  /** Serves an upgrade request for NOTIFICATION_SOCKET_PATH. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Open sockets, for the metrics. */
  readonly size: number;
  /** Closes every socket with `code` (1012 at shutdown). */
  close(code: number, reason: string): Promise<void>;
}

/**
 * The plain JSON notification socket (README "Plain notification socket", decision record 0036):
 * the caller's notifications as `{type:"event", id, data}` frames, resumable from `?lastEventId=`,
 * from the same stream as `notifications.onEvent`.
 */
export function createNotificationSocket(
  deps: Deps,
  { gate, guard, timings }: { gate: SocketGate; guard: SessionGuard; timings: PlainSocketTimings },
): NotificationSocket {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PLAIN_FRAME_BYTES });
  const subscribers = new Map<WebSocket, Subscriber>();
  const pending = new Map<WebSocket, Pending>();

  const send = (ws: WebSocket, frame: object) =>
    new Promise<void>((resolve) => ws.send(JSON.stringify(frame), () => resolve()));
  const sendError = (ws: WebSocket, code: string, message: string) => {
    void send(ws, { type: "error", code, message });
  };
  const report = (error: unknown) =>
    reportError(deps.logger, getTRPCErrorFromUnknown(error), { path: NOTIFICATION_SOCKET_PATH });

  /** Whom the upgrade's credential names: a bearer header, a ticket, a `?token=`; null for none. */
  const credential = async (req: IncomingMessage, query: URLSearchParams): Promise<Credential> => {
    const header = req.headers.authorization;
    const ticket = query.get("ticket");
    const token = query.get("token");
    try {
      if (header !== undefined) return { actor: await authenticate(deps, bearerToken(header)) };
      if (ticket !== null) return { actor: await redeemTicket(deps, ticket) };
      if (token !== null) return { actor: await authenticate(deps, token) };
      return null;
    } catch (error) {
      if (error instanceof DomainError) return { status: 401 };
      report(error);
      return { status: 503 };
    }
  };

  const stream = async (ws: WebSocket, actor: Actor, lastPosition: number | undefined) => {
    const subscriber = subscribers.get(ws);
    if (!subscriber) return;
    guard.follow(socketConnection(ws), actor);
    const abort = new AbortController();
    subscriber.stream = abort;
    try {
      for await (const [id, data] of notificationEvents(deps, actor, lastPosition, abort.signal)) {
        // Written before the next row is read: a slow reader holds back only its own stream.
        await send(ws, { type: "event", id, data });
      }
    } catch (error) {
      report(error);
      ws.close(CLOSE_INTERNAL, "Internal error");
    }
  };

  const authenticateByFrame = async (ws: WebSocket, waiting: Pending, token: string) => {
    waiting.authenticating = true;
    let actor: Actor;
    try {
      actor = await authenticate(deps, token);
    } catch (error) {
      if (!(error instanceof DomainError)) report(error);
      ws.close(CLOSE_SESSION_ENDED, "Unauthenticated");
      return;
    } finally {
      pending.delete(ws);
    }
    if (ws.readyState !== ws.OPEN) return;
    if (!gate.claim(waiting.req, actor.userId)) {
      ws.close(CLOSE_TOO_MANY_SOCKETS, "Too many sockets for this user");
      return;
    }
    void stream(ws, actor, waiting.lastPosition);
  };

  function onMessage(this: WebSocket, data: RawData, isBinary: boolean) {
    const subscriber = subscribers.get(this);
    if (!subscriber) return;
    const now = Date.now();
    if (now - subscriber.windowStart >= timings.frames.windowMs) {
      subscriber.windowStart = now;
      subscriber.frames = 0;
    }
    if (++subscriber.frames > timings.frames.max) {
      this.close(CLOSE_POLICY, "Too many frames");
      return;
    }
    let frame: unknown;
    try {
      frame = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      frame = undefined;
    }
    const auth = ZAuthFrame.safeParse(frame);
    if (!auth.success) {
      sendError(this, "BAD_FRAME", 'Expected a JSON text frame {"type":"auth","token":"…"}');
      return;
    }
    const waiting = pending.get(this);
    if (waiting && !waiting.authenticating) void authenticateByFrame(this, waiting, auth.data.token);
    else sendError(this, "ALREADY_AUTHENTICATED", "This socket is already authenticated");
  }

  function onPong(this: WebSocket) {
    const subscriber = subscribers.get(this);
    if (subscriber) subscriber.alive = true;
  }

  function onClose(this: WebSocket) {
    subscribers.get(this)?.stream?.abort();
    subscribers.delete(this);
    pending.delete(this);
  }

  function onError(this: WebSocket) {
    // ws closes the socket after an error (1009 for an oversize frame); nothing else to do.
  }

  // One sweep for every socket's heartbeat, another for the auth deadlines: no timer per socket.
  const heartbeat = setInterval(() => {
    for (const [ws, subscriber] of subscribers) {
      if (!subscriber.alive) {
        ws.terminate();
        continue;
      }
      subscriber.alive = false;
      ws.ping();
    }
  }, timings.heartbeatMs);
  heartbeat.unref();
  const deadlines = setInterval(
    () => {
      const now = Date.now();
      for (const [ws, waiting] of pending)
        if (!waiting.authenticating && waiting.deadline <= now) {
          pending.delete(ws);
          ws.close(CLOSE_AUTH_TIMEOUT, "No auth frame in time");
        }
    },
    Math.max(10, Math.floor(timings.authTimeoutMs / 5)),
  );
  deadlines.unref();

  const accept = (
    req: IncomingMessage,
    ws: WebSocket,
    actor: Actor | null,
    lastPosition: number | undefined,
  ) => {
    ws.on("message", onMessage);
    ws.on("pong", onPong);
    ws.on("close", onClose);
    ws.on("error", onError);
    subscribers.set(ws, { alive: true, frames: 0, windowStart: Date.now() });
    if (actor) void stream(ws, actor, lastPosition);
    else
      pending.set(ws, {
        deadline: Date.now() + timings.authTimeoutMs,
        req,
        lastPosition,
        authenticating: false,
      });
  };

  const serve = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const refuse = (status: UpgradeRefusal) => {
      deps.logger.info(
        { req: { url: loggedUrl(req.url ?? "/") }, res: { statusCode: status } },
        "socket refused",
      );
      rejectUpgrade(socket, status);
    };
    const lastEventId = url.searchParams.get("lastEventId");
    const resume = lastEventId === null ? undefined : ZLastEventId.safeParse(lastEventId);
    if (resume && !resume.success) return refuse(400);
    // Identified inside the gate, after its Origin check: a foreign page's ticket is not spent.
    const found: { credential: Credential } = { credential: null };
    const admission = await gate.admit(req, socket, async () => {
      found.credential = await credential(req, url.searchParams);
      return found.credential && "actor" in found.credential ? found.credential.actor.userId : null;
    });
    if (!admission.ok) return refuse(admission.status);
    const known = found.credential;
    if (known && "status" in known) return refuse(known.status);
    wss.handleUpgrade(req, socket, head, (ws) => {
      deps.logger.debug({ req: { url: loggedUrl(req.url ?? "/") } }, "socket opened");
      accept(req, ws, known?.actor ?? null, resume ? Number(resume.data) : undefined);
    });
  };

  return {
    upgrade: (req, socket, head) =>
      void serve(req, socket, head).catch((error: unknown) => {
        report(error);
        socket.destroy();
      }),
    get size() {
      return wss.clients.size;
    },
    close: (code, reason) =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        clearInterval(deadlines);
        for (const ws of wss.clients) ws.close(code, reason);
        wss.close(() => resolve());
      }),
  };
}
