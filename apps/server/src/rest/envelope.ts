import type { IncomingMessage } from "node:http";
import type { AppErrorCode, AppRouter, ErrorFacts } from "@medical/api";
import type { Request, Response } from "express";
import type { OpenApiFormatBodyOptions } from "trpc-to-openapi";

export interface SuccessEnvelope {
  success: true;
  data: unknown;
  message: string | null;
}

export interface ErrorEnvelope {
  success: false;
  data: Record<string, unknown> | null;
  message: string;
  error: { code: AppErrorCode; requestId: string; issues?: ErrorFacts["issues"] };
}

export function noRouteMessage(method: string, url: string): string {
  return `No route for ${method} ${url.split("?")[0]?.slice(0, 200)}`;
}

export function errorEnvelope(facts: ErrorFacts, requestId: string): ErrorEnvelope {
  return {
    success: false,
    data: facts.details ?? null,
    message: facts.message,
    error: { code: facts.appCode, requestId, ...(facts.issues ? { issues: facts.issues } : {}) },
  };
}

/** The id assignRequestId put on the request, which the client also gets as `X-Request-Id`. */
function requestIdOf(req: Pick<IncomingMessage, "headers">): string {
  const header = req.headers["x-request-id"];
  return typeof header === "string" ? header : "";
}

/** Answers an error in the envelope from Express code (body parser, 404, error handler). */
export function sendError(res: Response, status: number, facts: ErrorFacts): void {
  res.status(status).json(errorEnvelope(facts, requestIdOf(res.req)));
}

/**
 * trpc-to-openapi's `formatBody` hook: every answer of the REST mirror in `{ success, data,
 * message }`, from the procedure's data and meta or from our errorFormatter's shape.
 */
export function envelopeBody(
  answer: OpenApiFormatBodyOptions<AppRouter, Request>,
): SuccessEnvelope | ErrorEnvelope {
  if (answer.ok) {
    const message = answer.ctx?.route.meta?.successMessage ?? null;
    return { success: true, data: answer.data ?? null, message };
  }
  const { message, data } = answer.errorShape;
  const facts: ErrorFacts = {
    appCode: data.appCode,
    // No procedure matches the URL: say which route is missing, not just "Not found".
    message: answer.path === undefined ? noRouteMessage(answer.req.method, answer.req.originalUrl) : message,
    issues: data.issues,
    details: data.details,
  };
  return errorEnvelope(facts, requestIdOf(answer.req));
}
