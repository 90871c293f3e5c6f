import { TRPCError } from "@trpc/server";
import { createContextFactory } from "#platform/context.ts";
import type { Deps } from "#platform/deps.ts";
import { type ErrorFacts, errorFacts } from "#platform/errors/shape.ts";
import { createCallerFactory } from "#platform/trpc.ts";
import { appRouter } from "../root.ts";

const createCaller = createCallerFactory(appRouter);

/** The router as a client at `ip` would call it, with an access token or none. */
export function callerFor(
  deps: Deps,
  options: { accessToken?: string | null; ip?: string; userAgent?: string } = {},
) {
  const headers: Record<string, string> = { "user-agent": options.userAgent ?? "vitest" };
  if (options.accessToken) headers.authorization = `Bearer ${options.accessToken}`;
  const context = createContextFactory(deps)({ req: { headers, url: "/" }, ip: options.ip ?? "203.0.113.7" });
  return createCaller(context);
}

export type Caller = ReturnType<typeof callerFor>;

/** The error facts of what a call threw; anything but a TRPCError fails the test. */
export function thrownFacts(error: unknown): ErrorFacts {
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  return errorFacts(error);
}
