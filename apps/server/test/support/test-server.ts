import { Writable } from "node:stream";
import type { AppRouter, Deps } from "@medical/api";
import { makeTestDeps, type TestDepsOptions } from "@medical/api/testing";
import type { TestDatabase } from "@medical/db/testing";
import { openFileDatabase } from "@medical/db/testing/vitest";
import { WebSocket as NodeWebSocket } from "ws";
import type { MetricsConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { createMetrics } from "../../src/metrics/metrics.ts";
import { DEFAULT_PLAIN_SOCKET_TIMINGS, type PlainSocketTimings } from "../../src/notification-socket.ts";
import { type RunningServer, type ServerOptions, startServer } from "../../src/server.ts";
import { createProbeRouter } from "./probe-router.ts";

/** Every log line the server wrote, parsed, so tests can assert what is (not) logged. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join("\n");
  }
}

export interface TestServer extends RunningServer {
  deps: Deps;
  handle: TestDatabase;
  logs: LogCapture;
  close(): Promise<void>;
}

export const testServerConfig: ServerOptions["config"] = {
  port: 0,
  host: "127.0.0.1",
  corsOrigins: ["http://localhost:*"],
  trustProxy: false,
  limits: { bodyBytes: 102_400, requestTimeoutMs: 30_000, shutdownTimeoutMs: 2_000 },
  webSockets: { maxSocketsPerUser: 20, maxSubscriptionsPerSocket: 100 },
};

/** The real server on port 0 over this file's own database, with the probe router by default. */
export async function startTestServer(
  options: {
    router?: AppRouter;
    handle?: TestDatabase;
    limits?: Partial<ServerOptions["config"]["limits"]>;
    /** WebSocket caps for this server (the production defaults otherwise). */
    webSockets?: Partial<ServerOptions["config"]["webSockets"]>;
    /** TRUST_PROXY for this server (none by default). */
    trustProxy?: ServerOptions["config"]["trustProxy"];
    /** Mailer, clock, settings, rate limits… for this server (makeTestDeps' options). */
    deps?: TestDepsOptions;
    /** METRICS_TOKEN / METRICS_PORT for this server; it then observes the handle's queries. */
    metrics?: MetricsConfig;
    /** The plain notification socket's auth deadline, heartbeat and frame rate (the defaults otherwise). */
    plainSocket?: Partial<PlainSocketTimings>;
  } = {},
): Promise<TestServer> {
  const handle = options.handle ?? (await openFileDatabase());
  const logs = new LogCapture();
  const deps = makeTestDeps(handle, {
    logger: createLogger("debug", { destination: logs }),
    ...options.deps,
  });
  const config = {
    ...testServerConfig,
    trustProxy: options.trustProxy ?? testServerConfig.trustProxy,
    limits: { ...testServerConfig.limits, ...options.limits },
    webSockets: { ...testServerConfig.webSockets, ...options.webSockets },
  };
  const router = options.router ?? createProbeRouter();
  const metrics = options.metrics && createMetrics({ config: options.metrics, router, database: handle });
  const running = await startServer({
    deps,
    config,
    router,
    metrics,
    plainSocket: { ...DEFAULT_PLAIN_SOCKET_TIMINGS, ...options.plainSocket },
  });
  return {
    ...running,
    deps,
    handle,
    logs,
    close: async () => {
      await running.shutdown();
      await handle.close();
    },
  };
}

/**
 * A WebSocket class for tRPC clients: Node 22+ has the standard one built in; on Node 20 `ws`
 * does the same job, but its types lack DOM's EventTarget members that tRPC never calls.
 */
export const clientWebSocket: typeof globalThis.WebSocket =
  globalThis.WebSocket ?? (NodeWebSocket as unknown as typeof globalThis.WebSocket);
