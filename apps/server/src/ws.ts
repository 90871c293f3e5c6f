import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type AppRouter, createContextFactory, type Deps, reportError } from "@medical/api";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import { WebSocketServer } from "ws";
import type { Config } from "./config.ts";
import { clientIp, compileTrustProxy } from "./http/client-ip.ts";
import type { Metrics } from "./metrics/metrics.ts";
import { createSessionGuard } from "./session-guard.ts";
import { CLOSE_TOO_MANY_SOCKETS, createSocketGate } from "./socket-gate.ts";

/** Largest WebSocket message accepted; larger ones close the socket with 1009. */
export const MAX_WS_PAYLOAD_BYTES = 64 * 1024;
/** Close code telling clients the server is restarting and they should reconnect (API-CONTRACT §2). */
export const CLOSE_SERVICE_RESTART = 1012;

export interface WebSockets {
  /** Tells every client to reconnect elsewhere and closes it with 1012. */
  close(): Promise<void>;
}

function reject(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

const STATUS_TEXT = { 403: "403 Forbidden", 429: "429 Too Many Requests" } as const;

/** One `upgrade` listener routes by path: /trpc to tRPC; later domains add their plain JSON sockets. */
export function attachWebSockets(
  server: Server,
  deps: Deps,
  router: AppRouter,
  config: Pick<Config, "corsOrigins" | "trustProxy" | "webSockets">,
  metrics?: Metrics,
): WebSockets {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_PAYLOAD_BYTES });
  const createContext = createContextFactory(deps);
  // The rule Express applies to HTTP requests (app.ts), so rate limits and audit see one client IP.
  const trust = compileTrustProxy(config.trustProxy);
  const guard = createSessionGuard(deps);
  const gate = createSocketGate(deps, { corsOrigins: config.corsOrigins, trust, limits: config.webSockets });
  const { maxSubscriptionsPerSocket } = config.webSockets;
  // Each socket's subscription budget (limitSubscriptions keeps `open` current), summed at scrape time.
  const budgets = new WeakMap<object, { open: number }>();
  metrics?.readSockets(() => {
    let subscriptions = 0;
    for (const client of wss.clients) subscriptions += budgets.get(client)?.open ?? 0;
    return { sockets: wss.clients.size, subscriptions };
  });
  const handler = applyWSSHandler({
    wss,
    router,
    createContext: async ({ req, res, info }) => {
      const ctx = createContext({ req, info, ip: clientIp(req, trust) });
      const userId = await guard.watch(res, ctx.accessToken);
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
    socket.on("error", () => socket.destroy());
    const { pathname } = new URL(req.url ?? "/", "http://localhost");
    if (pathname !== "/trpc") return reject(socket, "404 Not Found");
    void gate.admit(req, socket).then((admission) => {
      if (!admission.ok) return reject(socket, STATUS_TEXT[admission.status]);
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
    });
  });

  return {
    close: () =>
      new Promise<void>((resolve) => {
        guard.stop();
        handler.broadcastReconnectNotification();
        for (const client of wss.clients) client.close(CLOSE_SERVICE_RESTART, "Server restarting");
        wss.close(() => resolve());
      }),
  };
}
