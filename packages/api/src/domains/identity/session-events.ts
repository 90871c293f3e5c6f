import { setTimeout as delay } from "node:timers/promises";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";

export interface SessionEvent {
  type: "SESSION_REVOKED" | "TOKEN_EXPIRED";
  reason: string | null;
  at: Date;
}

/**
 * The caller's session events, until one ends it: a revocation of this session, or the expiry of
 * the access token the socket was opened with.
 */
export async function* sessionEvents(
  deps: Pick<Deps, "events" | "clock">,
  actor: Actor,
  signal: AbortSignal | undefined,
): AsyncGenerator<SessionEvent> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  const expiry = delay<"expired">(
    Math.max(0, actor.accessExpiresAt.getTime() - deps.clock.now().getTime()),
    "expired",
    {
      signal: stop.signal,
    },
  ).catch(() => "stopped" as const);
  try {
    const revocations = deps.events.stream("session.revoked", stop.signal)[Symbol.asyncIterator]();
    while (!stop.signal.aborted) {
      const next = await Promise.race([revocations.next(), expiry]);
      if (next === "stopped") return;
      if (next === "expired") {
        yield { type: "TOKEN_EXPIRED", reason: null, at: deps.clock.now() };
        return;
      }
      if (next.done) return;
      if (next.value.sessionIds.includes(actor.sessionId)) {
        yield { type: "SESSION_REVOKED", reason: next.value.reason, at: deps.clock.now() };
        return;
      }
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    stop.abort();
  }
}
