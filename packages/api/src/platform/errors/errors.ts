import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";

interface AppErrorSpec {
  /** The tRPC code: it decides the HTTP status on /trpc and on the REST mirror. */
  trpc: TRPC_ERROR_CODE_KEY;
  status: number;
  /** Default human sentence; services may give a more precise one. */
  message: string;
}

/**
 * The one table of API-CONTRACT §1: every stable `error.code` with its tRPC code and HTTP status.
 * Clients branch on these codes, never on messages. Among rows sharing a tRPC code the first is
 * the most general (VALIDATION_FAILED before INVALID_TOKEN): errors the framework raises take it.
 */
export const appErrors = {
  VALIDATION_FAILED: { trpc: "BAD_REQUEST", status: 400, message: "Invalid input" },
  MALFORMED_JSON: { trpc: "PARSE_ERROR", status: 400, message: "The request body is not valid JSON" },
  INVALID_TOKEN: {
    trpc: "BAD_REQUEST",
    status: 400,
    message: "This link or token is invalid, used or expired",
  },
  WEAK_PASSWORD: {
    trpc: "BAD_REQUEST",
    status: 400,
    message: "This password is too easy to guess",
  },
  UNAUTHENTICATED: { trpc: "UNAUTHORIZED", status: 401, message: "Authentication required" },
  TOKEN_EXPIRED: { trpc: "UNAUTHORIZED", status: 401, message: "The access token has expired" },
  INVALID_CREDENTIALS: { trpc: "UNAUTHORIZED", status: 401, message: "Invalid email or password" },
  FORBIDDEN: { trpc: "FORBIDDEN", status: 403, message: "You are not allowed to do this" },
  EMAIL_NOT_VERIFIED: {
    trpc: "FORBIDDEN",
    status: 403,
    message: "Verify your email address before signing in",
  },
  NOT_FOUND: { trpc: "NOT_FOUND", status: 404, message: "Not found" },
  METHOD_NOT_ALLOWED: { trpc: "METHOD_NOT_SUPPORTED", status: 405, message: "Method not allowed" },
  CONFLICT: { trpc: "CONFLICT", status: 409, message: "The request conflicts with the current state" },
  EMAIL_TAKEN: { trpc: "CONFLICT", status: 409, message: "An account with this email already exists" },
  PROFILE_REQUIRED: { trpc: "CONFLICT", status: 409, message: "Create your profile first" },
  IN_USE: { trpc: "CONFLICT", status: 409, message: "The resource is still in use" },
  LAST_ADMIN: { trpc: "CONFLICT", status: 409, message: "The last active administrator must stay" },
  INVALID_TRANSITION: { trpc: "CONFLICT", status: 409, message: "That status change is not allowed" },
  PAYLOAD_TOO_LARGE: { trpc: "PAYLOAD_TOO_LARGE", status: 413, message: "The request body is too large" },
  UNSUPPORTED_MEDIA_TYPE: {
    trpc: "UNSUPPORTED_MEDIA_TYPE",
    status: 415,
    message: "Unsupported media type: send application/json",
  },
  IDEMPOTENCY_MISMATCH: {
    trpc: "UNPROCESSABLE_CONTENT",
    status: 422,
    message: "This Idempotency-Key was used with another request",
  },
  RATE_LIMITED: { trpc: "TOO_MANY_REQUESTS", status: 429, message: "Too many requests; try again later" },
  INTERNAL: { trpc: "INTERNAL_SERVER_ERROR", status: 500, message: "Internal server error" },
  UNAVAILABLE: {
    trpc: "SERVICE_UNAVAILABLE",
    status: 503,
    message: "The service is temporarily unavailable",
  },
} as const satisfies Record<string, AppErrorSpec>;

export type AppErrorCode = keyof typeof appErrors;

/**
 * The code of an error tRPC or the REST adapter raised itself (a parse error, a batch too large,
 * an unknown procedure): the table's first row with that tRPC code — rows are ordered from the
 * most general — or INTERNAL.
 */
export function appCodeOfTrpcCode(code: TRPC_ERROR_CODE_KEY): AppErrorCode {
  for (const [appCode, spec] of Object.entries(appErrors)) {
    if (spec.trpc === code && isAppErrorCode(appCode)) return appCode;
  }
  return "INTERNAL";
}

function isAppErrorCode(code: string): code is AppErrorCode {
  return Object.hasOwn(appErrors, code);
}

/**
 * The one error type services throw. `details` is a small, client-safe payload that the REST
 * envelope returns as `data` (health's `{ database: "down" }`); never put internals in it.
 */
export class DomainError extends Error {
  override readonly name = "DomainError";
  constructor(
    readonly code: AppErrorCode,
    message?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message ?? appErrors[code].message);
  }
}
