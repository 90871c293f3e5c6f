import type { Operation, TRPCLink } from "@trpc/client";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import type { AppRouter } from "./app-router.ts";
import type { TokenRefresher } from "./token-refresher.ts";
import type { TokenStore } from "./tokens.ts";

/** A subscription's input resumed after `lastEventId`, the last tracked id its caller received. */
function resumed(op: Operation, lastEventId: string | undefined): Operation {
  if (op.type !== "subscription" || lastEventId === undefined) return op;
  const { input } = op;
  if (input !== undefined && input !== null && typeof input !== "object") return op;
  return { ...op, input: { ...input, lastEventId } };
}

/**
 * Retries a call once after a refresh when the server answers `TOKEN_EXPIRED`. Parallel calls
 * share one refresh (see TokenRefresher); when it fails the store is empty and the call fails
 * with its original error. `auth.refresh` itself must not go through this link.
 *
 * A subscription outlives its tokens: it is resubscribed after every `TOKEN_EXPIRED`, and once
 * after any other UNAUTHORIZED (an SSE stream whose session was revoked: the refresh then fails and
 * empties the store, as a socket's 4401 does) until it delivers again. It resumes after the last
 * tracked id it delivered, so its caller misses nothing and gets nothing twice.
 */
export function refreshLink(options: { tokens: TokenStore; refresher: TokenRefresher }): TRPCLink<AppRouter> {
  const { tokens, refresher } = options;
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let current: Unsubscribable | null = null;
        let stopped = false;
        let lastEventId: string | undefined;
        // A retry that was not followed by a delivery: the next failure of that kind is final.
        let retried = false;
        const retries = (data: { appCode?: unknown; code?: unknown } | null | undefined): boolean => {
          if (op.type !== "subscription") return !retried && data?.appCode === "TOKEN_EXPIRED";
          return data?.appCode === "TOKEN_EXPIRED" || (!retried && data?.code === "UNAUTHORIZED");
        };
        const attempt = () => {
          const sentWith = tokens.get()?.accessToken ?? null;
          current = next(resumed(op, lastEventId)).subscribe({
            next: (result) => {
              if ("id" in result.result && typeof result.result.id === "string") {
                lastEventId = result.result.id;
                retried = false;
              }
              observer.next(result);
            },
            complete: () => observer.complete(),
            error: (error) => {
              if (sentWith === null || !retries(error.data)) {
                observer.error(error);
                return;
              }
              retried = true;
              void refresher.refresh(sentWith).then((refreshed) => {
                if (stopped) return;
                if (refreshed) attempt();
                else observer.error(error);
              });
            },
          });
        };
        attempt();
        return () => {
          stopped = true;
          current?.unsubscribe();
        };
      });
}
