import { accessTokenExpired } from "./access-token.ts";
import type { TokenStore, Tokens } from "./tokens.ts";

export interface TokenRefresher {
  /**
   * Replaces `stale`, the access token a failed call or a closed socket used: joins the refresh in
   * flight, returns at once when another caller already replaced it, or else refreshes. Resolves
   * `true` when the caller should retry with the stored tokens, `false` when there are none left
   * (the refresh failed and the store was emptied, or nobody is signed in). Never rejects.
   */
  refresh(stale: string | null): Promise<boolean>;
  /** Resolves once no refresh is in flight. */
  settled(): Promise<void>;
}

/**
 * Single-flight refresh. The server spends a refresh token on use, and a spent one presented
 * again revokes its whole session, so two refreshes of the same pair must never run at once.
 */
export function createTokenRefresher(
  tokens: TokenStore,
  exchange: (refreshToken: string) => Promise<Tokens>,
): TokenRefresher {
  let inFlight: Promise<boolean> | null = null;

  // A login or logout during the refresh wins: its result applies only to the pair it replaced.
  const stillStored = (pair: Tokens) => tokens.get()?.refreshToken === pair.refreshToken;

  const run = async (pair: Tokens): Promise<boolean> => {
    try {
      const fresh = await exchange(pair.refreshToken);
      if (stillStored(pair)) tokens.set(fresh);
      return true;
    } catch {
      // Cleared whatever the failure: a lost answer may already have spent the refresh token.
      if (stillStored(pair)) tokens.set(null);
      return false;
    }
  };

  return {
    refresh(stale) {
      if (inFlight) return inFlight;
      const current = tokens.get();
      if (!current) return Promise.resolve(false);
      if (current.accessToken !== stale) return Promise.resolve(true);
      // `finally` runs after this assignment even if `run` settles at once.
      const attempt = run(current).finally(() => {
        inFlight = null;
      });
      inFlight = attempt;
      return attempt;
    },
    async settled() {
      await inFlight;
    },
  };
}

/**
 * The access token a new connection (a socket, an SSE stream) should present: refreshed first when
 * it has expired, which spares a connection the server would accept only to end at once.
 */
export async function connectionToken(tokens: TokenStore, refresher: TokenRefresher): Promise<string | null> {
  await refresher.settled();
  const stored = tokens.get();
  if (stored && accessTokenExpired(stored.accessToken)) await refresher.refresh(stored.accessToken);
  return tokens.get()?.accessToken ?? null;
}
