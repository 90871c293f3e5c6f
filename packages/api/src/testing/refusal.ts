import { TRPCError } from "@trpc/server";
import { type ErrorFacts, errorFacts } from "#platform/errors/shape.ts";

/**
 * What a client learns from a refused call, as the error formatter tells it (code, message,
 * issues with their paths, data): for tests that check which field a 400 names.
 */
export async function refusalOf(call: Promise<unknown>): Promise<ErrorFacts & { paths: string[] }> {
  const error = await call.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a refusal, got ${String(error)}`);
  const facts = errorFacts(error);
  return { ...facts, paths: (facts.issues ?? []).map((issue) => issue.path.join(".")) };
}
