import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { z } from "zod";
import { INT4_MAX } from "../fields/fields.ts";
import { describeIssues, type InputIssue } from "./issues.ts";

interface AppErrorSpec {
  /** The tRPC code: it decides the HTTP status on /trpc and on the REST mirror. */
  trpc: TRPC_ERROR_CODE_KEY;
  status: number;
  /** Default human sentence; services may give a more precise one. */
  message: string;
  /**
   * The envelope's `data` for this code, when it carries any (null otherwise). DomainError's
   * constructor requires it, and /openapi.json documents it, so clients can rely on its type.
   */
  data?: z.ZodObject;
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
  AVAILABILITY_OVERLAP: {
    trpc: "CONFLICT",
    status: 409,
    message: "These hours overlap the doctor's other hours",
  },
  SLOT_TAKEN: { trpc: "CONFLICT", status: 409, message: "This slot has just been booked; choose another" },
  OUTSIDE_AVAILABILITY: {
    trpc: "CONFLICT",
    status: 409,
    message: "The doctor offers no slot starting at that time",
  },
  OUTSIDE_BOOKING_WINDOW: {
    trpc: "CONFLICT",
    status: 409,
    message: "That time is in the past, inside the doctor's notice, or beyond their booking horizon",
  },
  PATIENT_OVERLAP: {
    trpc: "CONFLICT",
    status: 409,
    message: "The patient already has an appointment at that time",
  },
  BOOKING_CAP_REACHED: {
    trpc: "CONFLICT",
    status: 409,
    message: "The patient already holds as many upcoming appointments with this doctor as allowed",
  },
  IDEMPOTENCY_IN_PROGRESS: {
    trpc: "CONFLICT",
    status: 409,
    message: "A request with this Idempotency-Key is still being processed; retry shortly",
  },
  REVIEW_REQUIRES_VISIT: {
    trpc: "CONFLICT",
    status: 409,
    message: "Only a patient with a completed visit to this doctor may review them",
  },
  STALE_VERSION: {
    trpc: "CONFLICT",
    status: 409,
    message: "Someone changed this since you read it; read it again and reapply your change",
  },
  CLAIM_EXCEEDS_COVERAGE: {
    trpc: "CONFLICT",
    status: 409,
    message: "The claim exceeds what the policy still covers of the billing entry",
    data: z.object({
      // At most the largest entry (ZMoneyAmount): what is left of its coverage.
      availableMinor: z
        .number()
        .int()
        .min(0)
        .max(1_000_000_000)
        .describe("Minor units the policy still covers of the entry: its share less the entry's live claims"),
    }),
  },
  POLICY_NOT_VALID: {
    trpc: "CONFLICT",
    status: 409,
    message: "The policy is not an active policy of the entry's patient valid on the entry's date",
  },
  POLICY_EXISTS: {
    trpc: "CONFLICT",
    status: 409,
    message: "A policy with this provider and number is already registered",
  },
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
  RATE_LIMITED: {
    trpc: "TOO_MANY_REQUESTS",
    status: 429,
    message: "Too many requests; try again later",
    data: z.object({
      // A window lasts at most Node's longest timer (rate-limits.ts MAX_TIMER_MS), about 24.8 days.
      retryAfterSeconds: z
        .number()
        .int()
        .min(1)
        .max(2_147_483)
        .describe("Whole seconds to wait; `Retry-After` says the same"),
    }),
  },
  INTERNAL: { trpc: "INTERNAL_SERVER_ERROR", status: 500, message: "Internal server error" },
  UNAVAILABLE: {
    trpc: "SERVICE_UNAVAILABLE",
    status: 503,
    message: "The service is temporarily unavailable",
    data: z.object({
      status: z.literal("unavailable"),
      database: z.literal("down"),
      databaseKind: z.enum(["pglite", "postgres"]),
      version: z.string(),
      uptimeSeconds: z.number().int().min(0).max(INT4_MAX),
    }),
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

/** The `data` a code carries (its table row's schema), or never for a code without data. */
export type AppErrorData<C extends AppErrorCode> = (typeof appErrors)[C] extends { data: z.ZodType<infer D> }
  ? D
  : never;

/** A code's data is required where the table has a schema for it, and refused elsewhere. */
type DetailsArgument<C extends AppErrorCode> = [AppErrorData<C>] extends [never]
  ? []
  : [details: AppErrorData<C> & Record<string, unknown>];

/**
 * The one error type services throw. `details` is the code's `data` of the table (health's
 * `{ database: "down", … }`, a 429's `{ retryAfterSeconds }`), returned as the envelope's `data`.
 */
export class DomainError<C extends AppErrorCode = AppErrorCode> extends Error {
  override readonly name = "DomainError";
  readonly details: Record<string, unknown> | undefined;
  constructor(
    readonly code: C,
    message?: string,
    ...[details]: DetailsArgument<C>
  ) {
    super(message ?? appErrors[code].message);
    this.details = details;
  }
}

/**
 * A VALIDATION_FAILED that no schema could see (a forged cursor, an id of the wrong account): it
 * lists its issues like a schema failure, so clients read every VALIDATION_FAILED the same way.
 */
export class InvalidInputError extends DomainError<"VALIDATION_FAILED"> {
  constructor(readonly issues: [InputIssue, ...InputIssue[]]) {
    super("VALIDATION_FAILED", describeIssues(issues));
  }
}

/** One wrong field: `invalidField(["cursor"], "not a cursor of this list and sort")`. */
export function invalidField(path: InputIssue["path"], message: string): InvalidInputError {
  return new InvalidInputError([{ path, message }]);
}
