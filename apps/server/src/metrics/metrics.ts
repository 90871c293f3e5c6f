import { performance } from "node:perf_hooks";
import { type AppRouter, DomainError, procedureMetas } from "@medical/api";
import type { DbHandle, QueryObserver } from "@medical/db";
import type { RequestHandler } from "express";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { MetricsConfig } from "../config.ts";
import { operationIdOf } from "../rest/operation-id.ts";

/** Open WebSockets and the subscriptions they carry, read at scrape time. */
export interface SocketCounts {
  sockets: number;
  subscriptions: number;
}

export interface Metrics {
  readonly config: MetricsConfig;
  readonly registry: Registry;
  /** Times every HTTP answer by operation and status; mount it first. */
  readonly timeRequests: RequestHandler;
  /**
   * Counts `error` when it is a RATE_LIMITED answer, labelled as the histogram labels it: REST
   * calls by operationId, tRPC calls (HTTP or WebSocket) by procedure path.
   */
  countRefusal(error: { cause?: unknown }, transport: "rest" | "trpc", path: string | undefined): void;
  /** The sockets gauges' source, once the WebSocket server exists. */
  readSockets(counts: () => SocketCounts): void;
  /** The SSE streams gauge's source. */
  readStreams(count: () => number): void;
}

/** Labels of answers no operation produced; with operation ids and tRPC paths, a bounded set. */
const UNROUTED = {
  notFound: "not_found",
  docs: "docs",
  metrics: "metrics",
  preflight: "preflight",
  batch: "trpc.batch",
  other: "unrouted",
} as const;

// Fixed buckets from 1 ms (health, cached reads) to 10 s (the request timeout's order).
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const QUERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const DOCS_PREFIXES = ["/docs", "/redoc", "/openapi.json"];

/**
 * The operation label of an answer: the REST operationId the adapter (or the health fast path)
 * named in `X-Operation-Id`, the tRPC procedure path, or a fixed word. Never the raw URL: ids and
 * search terms would make a series per request.
 */
function operationLabel(
  method: string,
  url: string,
  status: number,
  operationId: unknown,
  procedures: ReadonlySet<string>,
): string {
  if (typeof operationId === "string") return operationId;
  if (url.startsWith("/trpc/")) {
    const end = url.indexOf("?");
    const path = url.slice("/trpc/".length, end === -1 ? undefined : end);
    if (procedures.has(path)) return path;
    return path.includes(",") ? UNROUTED.batch : UNROUTED.notFound;
  }
  if (DOCS_PREFIXES.some((prefix) => url.startsWith(prefix))) return UNROUTED.docs;
  if (url.startsWith("/metrics")) return UNROUTED.metrics;
  if (method === "OPTIONS") return UNROUTED.preflight;
  return status === 404 ? UNROUTED.notFound : UNROUTED.other;
}

/**
 * Prometheus metrics of one server, in a registry of its own. Created only when /metrics is served
 * somewhere (config.ts), so an unobserved server does none of this work. Gauges read their
 * figures at scrape time; the hot path does one histogram observation per answer and per query.
 */
export function createMetrics(options: {
  config: MetricsConfig;
  router: AppRouter;
  database: Pick<DbHandle, "maxConnections" | "observeQueries">;
}): Metrics {
  const registry = new Registry();
  // Event-loop lag, CPU, memory, GC and handles, under prom-client's usual names.
  collectDefaultMetrics({ register: registry });
  const metas = procedureMetas(options.router);
  const procedures = new Set(Object.keys(options.router._def.procedures));
  const restOperations = new Map([...metas].map(([path, meta]) => [path, operationIdOf(path, meta)]));

  const requests = new Histogram({
    name: "medical_http_request_duration_seconds",
    help: "HTTP answers by operation (REST operationId or tRPC path) and status, from the first byte read to the last written",
    labelNames: ["operation", "status"] as const,
    buckets: HTTP_BUCKETS,
    registers: [registry],
  });
  const refusals = new Counter({
    name: "medical_rate_limited_total",
    help: "RATE_LIMITED (429) answers by operation, over HTTP and WebSocket",
    labelNames: ["operation"] as const,
    registers: [registry],
  });

  let inFlight = 0;
  const queries = new Histogram({
    name: "medical_db_query_duration_seconds",
    help: "Database statements by outcome, waiting for a pooled connection included",
    labelNames: ["outcome"] as const,
    buckets: QUERY_BUCKETS,
    registers: [registry],
  });
  const succeeded = queries.labels("ok");
  const failed = queries.labels("error");
  new Gauge({
    name: "medical_db_queries_in_flight",
    help: "Database statements sent and not yet settled; above the pool size, statements wait for a connection",
    registers: [registry],
    collect() {
      this.set(inFlight);
    },
  });
  new Gauge({
    name: "medical_db_pool_max_connections",
    help: "Connections the database pool may open (1 on PGlite)",
    registers: [registry],
    collect() {
      this.set(options.database.maxConnections);
    },
  });
  const observer: QueryObserver = {
    queryStarted() {
      inFlight += 1;
    },
    querySettled(seconds, refused) {
      inFlight -= 1;
      (refused ? failed : succeeded).observe(seconds);
    },
  };
  options.database.observeQueries(observer);

  let sockets: () => SocketCounts = () => ({ sockets: 0, subscriptions: 0 });
  new Gauge({
    name: "medical_websockets_open",
    help: "Open WebSockets on /trpc and the plain notification socket",
    registers: [registry],
    collect() {
      this.set(sockets().sockets);
    },
  });
  new Gauge({
    name: "medical_subscriptions_open",
    help: "Open tRPC subscriptions over all WebSockets",
    registers: [registry],
    collect() {
      this.set(sockets().subscriptions);
    },
  });

  let streams: () => number = () => 0;
  new Gauge({
    name: "medical_sse_streams_open",
    help: "Open tRPC subscription streams over HTTP (server-sent events)",
    registers: [registry],
    collect() {
      this.set(streams());
    },
  });

  return {
    config: options.config,
    registry,
    timeRequests(req, res, next) {
      const started = performance.now();
      res.once("finish", () => {
        const operation = operationLabel(
          req.method,
          req.originalUrl,
          res.statusCode,
          res.getHeader("x-operation-id"),
          procedures,
        );
        requests.observe({ operation, status: res.statusCode }, (performance.now() - started) / 1000);
      });
      next();
    },
    countRefusal(error, transport, path) {
      if (!(error.cause instanceof DomainError) || error.cause.code !== "RATE_LIMITED") return;
      const operation =
        path === undefined ? undefined : transport === "rest" ? restOperations.get(path) : path;
      refusals.inc({ operation: operation ?? UNROUTED.other });
    },
    readSockets(counts) {
      sockets = counts;
    },
    readStreams(count) {
      streams = count;
    },
  };
}
