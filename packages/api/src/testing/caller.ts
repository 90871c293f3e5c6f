import { createContextFactory } from "#platform/context.ts";
import type { Deps } from "#platform/deps.ts";
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
