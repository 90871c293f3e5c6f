import {
  type AppErrorCode,
  type AppRouter,
  appErrors,
  checkHealth,
  checkLiveness,
  type Deps,
  DomainError,
  procedureMetas,
} from "@medical/api";
import type { RequestHandler, Response } from "express";
import { errorEnvelope, type SuccessEnvelope } from "../rest/envelope.ts";
import { operationIdOf } from "../rest/operation-id.ts";

const READY_URL = "/api/v1/health";
const LIVE_URL = "/api/v1/health/live";

/** What the REST adapter writes: bare `application/json`, the operation header, no ETag. */
function send(res: Response, status: number, operationId: string, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json");
  res.setHeader("x-operation-id", operationId);
  res.setHeader("Content-Length", Buffer.byteLength(text));
  res.end(text);
}

const success = (data: unknown): SuccessEnvelope => ({ success: true, data, message: null });

/**
 * `GET /api/v1/health` (readiness) and `/health/live` (liveness) answered here, after the common
 * middleware (request id, access log, security headers, CORS, no-store) and before the REST
 * adapter, whose per-request work (context, input and output parsing) costs several times the
 * check itself. Same services, envelope and headers as the adapter's answer (a test compares
 * them); only those exact URLs: a query string, another method or spelling goes on to the adapter.
 */
export function healthFastPath(deps: Deps, router: AppRouter): RequestHandler {
  const metas = procedureMetas(router);
  const ready = operationIdOf("health.check", metas.get("health.check"));
  const live = operationIdOf("health.live", metas.get("health.live"));
  return (req, res, next) => {
    if (req.method !== "GET") return next();
    if (req.url === LIVE_URL) return send(res, 200, live, success(checkLiveness(deps)));
    if (req.url !== READY_URL) return next();
    checkHealth(deps).then(
      (health) => send(res, 200, ready, success(health)),
      (error: unknown) => {
        if (!(error instanceof DomainError)) return next(error);
        const code: AppErrorCode = error.code;
        const requestId = String(req.headers["x-request-id"]);
        // The line the adapter's onError (reportError) writes for an expected failure.
        deps.logger.debug({ path: "health.check", requestId, code }, "request failed");
        const facts = { appCode: code, message: error.message, details: error.details };
        send(res, appErrors[code].status, ready, errorEnvelope(facts, requestId));
      },
    );
  };
}
