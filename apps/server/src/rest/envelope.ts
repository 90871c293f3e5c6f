import type { ServerResponse } from "node:http";
import {
  type AppErrorCode,
  appCodeForStatus,
  appErrors,
  describeIssues,
  type ErrorFacts,
  type Meta,
} from "@medical/api";
import type { RequestHandler, Response } from "express";
import { z } from "zod";

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

const appCodes = Object.keys(appErrors) as [AppErrorCode, ...AppErrorCode[]];

/** What trpc-to-openapi writes for an error: our errorFormatter's shape spread into its own body. */
const AdapterError = z.object({
  message: z.string().optional(),
  data: z
    .object({
      appCode: z.enum(appCodes).optional(),
      issues: z
        .array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() }))
        .optional(),
      details: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});

/** The called procedure's route slot (see createContext), per response, for the success message. */
const routes = new WeakMap<ServerResponse, { meta?: Meta }>();
const enveloped = new WeakSet<ServerResponse>();

export function rememberRoute(res: ServerResponse, route: { meta?: Meta }): void {
  routes.set(res, route);
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

function requestIdOf(res: ServerResponse): string {
  const header = res.getHeader("x-request-id");
  return typeof header === "string" ? header : "";
}

/** Answers an error in the envelope from Express code (body parser, 404, error handler). */
export function sendError(res: Response, status: number, facts: ErrorFacts): void {
  enveloped.add(res);
  res.status(status).json(errorEnvelope(facts, requestIdOf(res)));
}

export function sendSuccess(
  res: Response,
  status: number,
  data: unknown,
  message: string | null = null,
): void {
  enveloped.add(res);
  res.status(status).json({ success: true, data, message } satisfies SuccessEnvelope);
}

function envelopeBody(res: ServerResponse, raw: string, noRoute: string): string {
  const status = res.statusCode;
  let body: unknown;
  try {
    body = raw.length ? JSON.parse(raw) : null;
  } catch {
    body = null;
  }
  if (status < 400) {
    const message = routes.get(res)?.meta?.successMessage ?? null;
    return JSON.stringify({ success: true, data: body ?? null, message } satisfies SuccessEnvelope);
  }
  const parsed = AdapterError.safeParse(body);
  const native = parsed.success ? parsed.data : {};
  const appCode = native.data?.appCode ?? appCodeForStatus(status);
  const issues = native.data?.issues;
  // No procedure answered (no operation id): say which route is missing, not just "Not found".
  const unmatched = status === 404 && !res.hasHeader("x-operation-id");
  const facts: ErrorFacts = {
    appCode,
    // The adapter replaces our validation message with a generic one; ours lists the issues.
    message:
      appCode === "INTERNAL"
        ? appErrors.INTERNAL.message
        : issues
          ? describeIssues(issues)
          : unmatched
            ? noRoute
            : (native.message ?? appErrors[appCode].message),
    issues,
    details: native.data?.details,
  };
  return JSON.stringify(errorEnvelope(facts, requestIdOf(res)));
}

/**
 * Wraps every JSON answer of the REST mirror in `{ success, data, message }`. trpc-to-openapi
 * writes with `res.end(JSON.stringify(…))`, so `res.end` is the only place to do it (STACK-NOTES §4).
 */
export const envelopeResponses: RequestHandler = (req, res, next) => {
  const end = res.end;
  // Reassigning an overloaded method needs its declared type; the wrapper forwards every overload.
  res.end = function envelopeEnd(this: Response, ...args: unknown[]) {
    const [chunk] = args;
    const contentType = String(res.getHeader("content-type") ?? "");
    const text =
      typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) ? chunk.toString("utf8") : undefined;
    if (enveloped.has(res) || text === undefined || !contentType.startsWith("application/json")) {
      return Reflect.apply(end, res, args);
    }
    enveloped.add(res);
    const wrapped = envelopeBody(res, text, noRouteMessage(req.method, req.originalUrl));
    res.removeHeader("etag");
    res.setHeader("content-length", Buffer.byteLength(wrapped));
    return Reflect.apply(end, res, [wrapped, "utf8"]);
  } as typeof res.end;
  next();
};
