import type { Deps } from "../deps.ts";

const rule = (deps: Pick<Deps, "settings">) => ({ name: "public", windows: deps.settings.rateLimits.public });

/** Per client IP, for unauthenticated reads such as doctor search. */
export async function limitPublicRead(
  deps: Pick<Deps, "rateLimits" | "settings">,
  ip: string | null,
): Promise<void> {
  const limit = rule(deps);
  if (limit.windows.length) await deps.rateLimits.consume(limit, ip ?? "unknown");
}
