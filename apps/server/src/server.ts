import { createServer, type Server } from "node:http";
import type { AppRouter, Deps } from "@medical/api";
import { createApp } from "./app.ts";
import type { Config } from "./config.ts";
import { compileTrustProxy } from "./http/client-ip.ts";
import { type MetricsListener, startMetricsListener } from "./metrics/endpoint.ts";
import type { Metrics } from "./metrics/metrics.ts";
import type { PlainSocketTimings } from "./notification-socket.ts";
import { createSessionGuard } from "./session-guard.ts";
import { createSocketGate } from "./socket-gate.ts";
import { createSseStreams, type SseStreams } from "./sse.ts";
import { attachWebSockets, type WebSockets } from "./ws.ts";

export interface RunningServer {
  server: Server;
  /** Base URL, e.g. http://127.0.0.1:3000 */
  url: string;
  /** The METRICS_PORT listener's base URL, when there is one. */
  metricsUrl?: string;
  /**
   * Graceful stop: refuse new connections, close WebSockets with 1012 and cut SSE streams (their
   * clients reconnect elsewhere with their last event id), let in-flight requests
   * finish within the shutdown timeout, then cut what is left. The database stays open.
   */
  shutdown(): Promise<void>;
}

export interface ServerOptions {
  deps: Deps;
  config: Pick<Config, "port" | "host" | "corsOrigins" | "trustProxy" | "limits" | "webSockets">;
  router: AppRouter;
  /** Built by the caller from config.metrics (it observes the database handle). */
  metrics?: Metrics;
  /** The plain notification socket's deadlines and heartbeat (tests shorten them). */
  plainSocket?: PlainSocketTimings;
}

export async function startServer({
  deps,
  config,
  router,
  metrics,
  plainSocket,
}: ServerOptions): Promise<RunningServer> {
  const { requestTimeoutMs } = config.limits;
  // WebSockets and SSE streams share the caps (docs/decisions/0037) and the session guard.
  const guard = createSessionGuard(deps);
  const gate = createSocketGate(deps, {
    corsOrigins: config.corsOrigins,
    trust: compileTrustProxy(config.trustProxy),
    limits: config.webSockets,
  });
  const streams = createSseStreams(deps, router, gate, guard);
  metrics?.readStreams(() => streams.size);
  const server = createServer(
    {
      // Time allowed to receive a whole request (slow-loris protection); headers get the same bound.
      requestTimeout: requestTimeoutMs,
      headersTimeout: Math.min(requestTimeoutMs, 60_000),
      // How often Node checks those timeouts (its default, 30 s, would stretch a short timeout).
      connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(requestTimeoutMs / 4))),
    },
    createApp({ deps, config, router, metrics, streams }),
  );
  const webSockets = attachWebSockets(server, deps, router, config, { guard, gate }, metrics, plainSocket);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === "string")
    throw new Error("the HTTP server is not listening on a TCP port");
  const { port } = address;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  const metricsPort = metrics?.config.port;
  const metricsListener: MetricsListener | undefined =
    metrics && metricsPort !== undefined
      ? await startMetricsListener(metrics, metricsPort, metrics.config.host)
      : undefined;

  let stopping: Promise<void> | undefined;
  return {
    server,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    metricsUrl: metricsListener?.url,
    shutdown: () => {
      guard.stop();
      stopping ??= gracefulShutdown(server, webSockets, streams, config.limits.shutdownTimeoutMs).then(() =>
        metricsListener?.close(),
      );
      return stopping;
    },
  };
}

async function gracefulShutdown(
  server: Server,
  webSockets: WebSockets,
  streams: SseStreams,
  timeoutMs: number,
): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // An open stream never ends by itself: left alone it would hold the shutdown to its timeout.
  streams.close();
  await webSockets.close();
  // Keep-alive sockets become idle once their in-flight response is written; close them as they do.
  const sweeper = setInterval(() => server.closeIdleConnections(), 50);
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  await Promise.race([closed, deadline]);
  clearInterval(sweeper);
  clearTimeout(timer);
  server.closeAllConnections();
  await closed;
}
