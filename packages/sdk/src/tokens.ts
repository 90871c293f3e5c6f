/** The pair the server issues at login, register and refresh; the SDK stores only these two. */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/**
 * Where a client keeps its tokens. `set(null)` means signed out: the SDK calls it on logout and
 * when a refresh fails. Back it with secure storage to keep a login across restarts.
 */
export interface TokenStore {
  get(): Tokens | null;
  set(tokens: Tokens | null): void;
}

/** The default store: tokens live as long as the client object. */
export function memoryTokenStore(initial: Tokens | null = null): TokenStore {
  let current = initial;
  return {
    get: () => current,
    set: (tokens) => {
      current = tokens;
    },
  };
}
