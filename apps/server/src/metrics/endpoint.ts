import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { RequestHandler } from "express";
import { sendError } from "../rest/envelope.ts";
import type { Metrics } from "./metrics.ts";

const sha256 = (text: string) => createHash("sha256").update(text).digest();

/**
 * Whether the request carries `Authorization: Bearer <token>`. Digests of equal length go to
 * timingSafeEqual, so the time taken says nothing about the token, not even its length.
 */
export function hasBearer(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? "";
  const presented = header.startsWith("Bearer ") ? header.slice("Bearer ".length) : "";
  return timingSafeEqual(sha256(presented), sha256(token));
}

async function writeMetrics(metrics: Metrics, res: ServerResponse): Promise<void> {
  const text = await metrics.registry.metrics();
  res.statusCode = 200;
  res.setHeader("Content-Type", metrics.registry.contentType);
  res.setHeader("Cache-Control", "no-store");
  res.end(text);
}

/** `GET /metrics` on the main port, for METRICS_TOKEN's bearer only: 401 in the envelope otherwise. */
export function metricsRoute(metrics: Metrics, token: string): RequestHandler {
  return (req, res, next) => {
    if (!hasBearer(req, token)) {
      res.setHeader("WWW-Authenticate", 'Bearer realm="metrics"');
      return sendError(res, 401, {
        appCode: "UNAUTHENTICATED",
        message: "Send the metrics token as Authorization: Bearer <METRICS_TOKEN>",
      });
    }
    writeMetrics(metrics, res).catch(next);
  };
}

export interface MetricsListener {
  /** Base URL, e.g. http://127.0.0.1:9464 */
  url: string;
  close(): Promise<void>;
}

/**
 * METRICS_PORT: a plain node:http listener that answers `GET /metrics` and 404 to anything else.
 * Open to whoever reaches METRICS_HOST, unless METRICS_TOKEN is set (then the same bearer rule).
 */
export async function startMetricsListener(
  metrics: Metrics,
  port: number,
  host: string,
): Promise<MetricsListener> {
  const { token } = metrics.config;
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?", 1)[0];
    if (path !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("Not found: GET /metrics\n");
      return;
    }
    if (token !== undefined && !hasBearer(req, token)) {
      res.writeHead(401, { "WWW-Authenticate": 'Bearer realm="metrics"' }).end();
      return;
    }
    writeMetrics(metrics, res).catch(() => {
      res.statusCode = 500;
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("the metrics listener is not on a TCP port");
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
