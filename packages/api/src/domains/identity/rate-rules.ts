import type { AuditMeta } from "#platform/audit/audit.ts";
import type { Deps, Settings } from "#platform/deps.ts";
import type { RateLimitRule, RateWindow } from "#platform/rate-limit/rate-limits.ts";

const rule = (name: string, windows: readonly RateWindow[]): RateLimitRule => ({ name, windows });

/**
 * Login is limited per (account, IP) so an attacker elsewhere cannot lock a doctor out, per
 * account against distributed guessing, and per IP so one NAT does not block a whole clinic
 * sooner than necessary (API-CONTRACT §5). The other auth routes are limited per IP.
 */
function rateRules(settings: Settings) {
  const [accountIp, account, ip] = settings.rateLimits.login;
  return {
    loginAccountIp: rule("login-account-ip", accountIp ? [accountIp] : []),
    loginAccount: rule("login-account", account ? [account] : []),
    loginIp: rule("login-ip", ip ? [ip] : []),
    auth: rule("auth", settings.rateLimits.auth),
  };
}

async function take(deps: Pick<Deps, "rateLimits">, limit: RateLimitRule, key: string): Promise<void> {
  // A rule configured without windows limits nothing.
  if (limit.windows.length) await deps.rateLimits.consume(limit, key);
}

const ipOf = (audit: AuditMeta) => audit.origin.ip ?? "unknown";

/** register, forgot, reset, verify-email: per client IP. */
export function limitAuthRoute(deps: Pick<Deps, "rateLimits" | "settings">, audit: AuditMeta): Promise<void> {
  return take(deps, rateRules(deps.settings).auth, ipOf(audit));
}

/** Before any hashing: per (account, IP), per account, per IP. */
export async function limitLogin(
  deps: Pick<Deps, "rateLimits" | "settings">,
  audit: AuditMeta,
  email: string,
) {
  const rules = rateRules(deps.settings);
  await take(deps, rules.loginAccountIp, `${email}|${ipOf(audit)}`);
  await take(deps, rules.loginAccount, email);
  await take(deps, rules.loginIp, ipOf(audit));
}

/** A successful login forgets that (account, IP)'s failures. */
export async function clearLoginFailures(
  deps: Pick<Deps, "rateLimits" | "settings">,
  audit: AuditMeta,
  email: string,
) {
  const { loginAccountIp } = rateRules(deps.settings);
  if (loginAccountIp.windows.length) await deps.rateLimits.reset(loginAccountIp, `${email}|${ipOf(audit)}`);
}
