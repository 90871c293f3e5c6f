import type { TRPCLink } from "@trpc/client";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import type { AppRouter } from "./app-router.ts";
import type { TokenRefresher } from "./token-refresher.ts";
import type { TokenStore } from "./tokens.ts";

/**
 * Retries a call once after a refresh when the server answers `TOKEN_EXPIRED`. Parallel calls
 * share one refresh (see TokenRefresher); when it fails the store is empty and the call fails
 * with its original error. `auth.refresh` itself must not go through this link.
 */
export function refreshLink(options: { tokens: TokenStore; refresher: TokenRefresher }): TRPCLink<AppRouter> {
  const { tokens, refresher } = options;
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let current: Unsubscribable | null = null;
        let stopped = false;
        const attempt = (isRetry: boolean) => {
          const sentWith = tokens.get()?.accessToken ?? null;
          current = next(op).subscribe({
            next: (result) => observer.next(result),
            complete: () => observer.complete(),
            error: (error) => {
              if (isRetry || sentWith === null || error.data?.appCode !== "TOKEN_EXPIRED") {
                observer.error(error);
                return;
              }
              void refresher.refresh(sentWith).then((refreshed) => {
                if (stopped) return;
                if (refreshed) attempt(true);
                else observer.error(error);
              });
            },
          });
        };
        attempt(false);
        return () => {
          stopped = true;
          current?.unsubscribe();
        };
      });
}
