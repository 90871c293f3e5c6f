import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type AppRouter, createContextFactory, type Deps, reportError } from "@medical/api";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import { WebSocketServer } from "ws";
import type { Config } from "./config.ts";
import { clientIp, compileTrustProxy } from "./http/client-ip.ts";
import { rejectUpgrade } from "./http/upgrade.ts";
import type { Metrics } from "./metrics/metrics.ts";
import {
  createNotificationSocket,
  DEFAULT_PLAIN_SOCKET_TIMINGS,
  NOTIFICATION_SOCKET_PATH,
  type PlainSocketTimings,
} from "./notification-socket.ts";
import { type SessionGuard, socketConnection } from "./session-guard.ts";
import { CLOSE_TOO_MANY_SOCKETS, type SocketGate } from "./socket-gate.ts";

/** Largest WebSocket message accepted; larger ones close the socket with 1009. */
export const MAX_WS_PAYLOAD_BYTES = 64 * 1024;
/** Close code telling clients the server is restarting and they should reconnect (API-CONTRACT §2). */
export const CLOSE_SERVICE_RESTART = 1012;

/** An upgrading socket's error listener; one function for all, none kept per socket (issue 18's heap). */
function destroySocket(this: Duplex) {
  this.destroy();
}

export interface WebSockets {
  /** Tells every client to reconnect elsewhere and closes it with 1012. */
  close(): Promise<void>;
}

/**
 * One `upgrade` listener routes by path: /trpc to tRPC, NOTIFICATION_SOCKET_PATH to the plain
 * notification socket, anything else 404. Both share the gate (Origin, per-IP and per-user caps)
 * and the session guard (4401 on revocation or expiry).
 */
export function attachWebSockets(
  server: Server,
  deps: Deps,
  router: AppRouter,
  config: Pick<Config, "trustProxy" | "webSockets">,
  // Shared with tRPC's SSE streams (server.ts): one cap and one revocation path for all.
  { guard, gate }: { guard: SessionGuard; gate: SocketGate },
  metrics?: Metrics,
  plainTimings: PlainSocketTimings = DEFAULT_PLAIN_SOCKET_TIMINGS,
): WebSockets {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_PAYLOAD_BYTES });
  const createContext = createContextFactory(deps);
  // The rule Express applies to HTTP requests (app.ts), so rate limits and audit see one client IP.
  const trust = compileTrustProxy(config.trustProxy);
  const plain = createNotificationSocket(deps, { gate, guard, timings: plainTimings });
  const { maxSubscriptionsPerSocket } = config.webSockets;
  // Each socket's subscription budget (limitSubscriptions keeps `open` current), summed at scrape time.
  const budgets = new WeakMap<object, { open: number }>();
  metrics?.readSockets(() => {
    let subscriptions = 0;
    for (const client of wss.clients) subscriptions += budgets.get(client)?.open ?? 0;
    return { sockets: wss.clients.size + plain.size, subscriptions };
  });
  const handler = applyWSSHandler({
    wss,
    router,
    createContext: async ({ req, res, info }) => {
      const ctx = createContext({ req, info, ip: clientIp(req, trust) });
      const userId = await guard.watch(socketConnection(res), ctx.accessToken);
      if (userId !== null && !gate.claim(req, userId))
        res.close(CLOSE_TOO_MANY_SOCKETS, "Too many sockets for this user");
      const subscriptions = { open: 0, max: maxSubscriptionsPerSocket };
      budgets.set(res, subscriptions);
      return { ...ctx, subscriptions };
    },
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 10_000 },
    // The connection's context id: the one errorFormatter sends the client in data.requestId.
    onError: ({ error, path, ctx }) => {
      metrics?.countRefusal(error, "trpc", path);
      reportError(deps.logger, error, { path, requestId: ctx?.requestId });
    },
  });

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", destroySocket);
    const { pathname } = new URL(req.url ?? "/", "http://localhost");
    if (pathname === NOTIFICATION_SOCKET_PATH) return plain.upgrade(req, socket, head);
    if (pathname !== "/trpc") return rejectUpgrade(socket, 404);
    void gate.admit(req, socket).then((admission) => {
      if (!admission.ok) return rejectUpgrade(socket, admission.status);
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
    });
  });

  return {
    close: () =>
      new Promise<void>((resolve) => {
        handler.broadcastReconnectNotification();
        for (const client of wss.clients) client.close(CLOSE_SERVICE_RESTART, "Server restarting");
        void Promise.all([
          new Promise<void>((closed) => wss.close(() => closed())),
          plain.close(CLOSE_SERVICE_RESTART, "Server restarting"),
        ]).then(() => resolve());
      }),
  };
}
