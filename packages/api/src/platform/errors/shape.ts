import type { TRPCError } from "@trpc/server";
import { type AppErrorCode, appCodeOfTrpcCode, appErrors, DomainError } from "./errors.ts";
import { describeIssues, type InputIssue, toInputIssues } from "./issues.ts";

export interface ErrorFacts {
  appCode: AppErrorCode;
  message: string;
  issues?: InputIssue[];
  details?: Record<string, unknown>;
}

function zodIssuesOf(cause: unknown): InputIssue[] | undefined {
  if (
    cause instanceof Error &&
    cause.name === "ZodError" &&
    "issues" in cause &&
    Array.isArray(cause.issues)
  ) {
    return toInputIssues(cause.issues);
  }
  return undefined;
}

/**
 * What a client may learn about an error. Unknown errors keep only a generic sentence: their
 * messages can carry SQL and bound parameters (DrizzleQueryError) or file paths.
 */
export function errorFacts(error: TRPCError): ErrorFacts {
  if (error.cause instanceof DomainError) {
    return { appCode: error.cause.code, message: error.cause.message, details: error.cause.details };
  }
  const issues = error.code === "BAD_REQUEST" ? zodIssuesOf(error.cause) : undefined;
  if (issues) return { appCode: "VALIDATION_FAILED", message: describeIssues(issues), issues };
  const appCode = appCodeOfTrpcCode(error.code);
  // tRPC's and the adapter's own messages for 4xx are safe and useful; anything else is not.
  const message = appCode === "INTERNAL" ? appErrors.INTERNAL.message : error.message;
  return { appCode, message };
}
