/**
 * Whether an access token's `exp` claim (API-CONTRACT §2) has passed by this machine's clock.
 * Only a hint for choosing when to refresh: the server decides. A token that does not decode
 * counts as live, so the server's answer handles it.
 */
export function accessTokenExpired(token: string, nowMs: number = Date.now()): boolean {
  const payload = token.split(".")[1];
  if (!payload) return false;
  try {
    const claims: unknown = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/")));
    if (typeof claims !== "object" || claims === null || !("exp" in claims)) return false;
    return typeof claims.exp === "number" && claims.exp * 1000 <= nowMs;
  } catch {
    return false;
  }
}
