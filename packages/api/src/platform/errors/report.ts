import { pgErrorFacts } from "@medical/db";
import type { TRPCError } from "@trpc/server";
import type { Logger } from "pino";
import { errorFacts } from "./shape.ts";

/** Only the "at …" frame lines: the lines before them repeat the message, which can hold SQL parameters. */
export function stackFrames(error: unknown): string | undefined {
  if (!(error instanceof Error) || !error.stack) return undefined;
  return error.stack
    .split("\n")
    .filter((line) => line.trimStart().startsWith("at "))
    .slice(0, 10)
    .join("\n");
}

/**
 * Logs an error seen by an adapter. Unexpected errors are logged with their class, the database's
 * SQLSTATE and constraint, and stack frames — never their message, input or parameters.
 */
export function reportError(logger: Logger, error: TRPCError, where: { path?: string; requestId?: string }) {
  const facts = errorFacts(error);
  if (facts.appCode !== "INTERNAL") {
    logger.debug({ ...where, code: facts.appCode }, "request failed");
    return;
  }
  const cause = error.cause ?? error;
  logger.error(
    {
      ...where,
      errorClass: cause instanceof Error ? cause.name : typeof cause,
      db: pgErrorFacts(cause),
      frames: stackFrames(cause),
    },
    "unexpected error",
  );
}
