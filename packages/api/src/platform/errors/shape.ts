import type { TRPCError } from "@trpc/server";
import { type AppErrorCode, appCodeOfTrpcCode, appErrors, DomainError, InvalidInputError } from "./errors.ts";
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
 * The fixed sentences tRPC and the REST adapter raise themselves, safe and useful to pass on. Any
 * other message of an error we did not raise may be engine text (a JSON.parse position, superjson's
 * "number 1 is not iterable"): the client gets the table's sentence for its code instead.
 */
const frameworkSentences = [
  /^Batch call exceeds maximum size$/,
  /^"input" needs to be an object when doing a batch call$/,
  /^No procedure found on path "[\w.,-]{1,200}"$/,
  /^Unsupported [A-Z]{3,7}-request to (query|mutation|subscription) procedure at path "[\w.-]{1,200}"$/,
  /^Missing content-type header$/,
  /^Not found$/,
  /^Failed to parse request body$/,
  /^Request body too large$/,
];

/**
 * What a client may learn about an error. Unknown errors keep only a generic sentence: their
 * messages can carry SQL and bound parameters (DrizzleQueryError) or file paths.
 */
export function errorFacts(error: TRPCError): ErrorFacts {
  return withIssues(factsOf(error));
}

function factsOf(error: TRPCError): ErrorFacts {
  const cause = error.cause;
  if (cause instanceof InvalidInputError)
    return { appCode: cause.code, message: cause.message, issues: cause.issues };
  if (cause instanceof DomainError)
    return { appCode: cause.code, message: cause.message, details: cause.details };
  const issues = error.code === "BAD_REQUEST" ? zodIssuesOf(cause) : undefined;
  if (issues) return { appCode: "VALIDATION_FAILED", message: describeIssues(issues), issues };
  const appCode = appCodeOfTrpcCode(error.code);
  const message =
    appCode !== "INTERNAL" && frameworkSentences.some((sentence) => sentence.test(error.message))
      ? error.message
      : appErrors[appCode].message;
  return { appCode, message };
}

/**
 * Every VALIDATION_FAILED lists `issues` (the document says so): a refusal that names no field
 * (a batch shape, a body nested too deep) has one issue at the root, with its sentence.
 */
export function withIssues(facts: ErrorFacts): ErrorFacts {
  if (facts.appCode !== "VALIDATION_FAILED" || facts.issues?.length) return facts;
  return { ...facts, issues: [{ path: [], message: facts.message.replace(/^Invalid input: /, "") }] };
}
