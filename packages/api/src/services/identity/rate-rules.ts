import type { Settings } from "../../deps.ts";
import type { RateLimitRule } from "../../rate-limit/rate-limits.ts";

/**
 * Login is limited per (account, IP) so an attacker elsewhere cannot lock a doctor out, per
 * account against distributed guessing, and per IP so one NAT does not block a whole clinic
 * sooner than necessary (API-CONTRACT §5). The other auth routes are limited per IP.
 */
export function rateRules(settings: Settings) {
  const [accountIp, account, ip] = settings.rateLimits.login;
  const rule = (name: string, window: Settings["rateLimits"]["auth"][number] | undefined): RateLimitRule => ({
    name,
    windows: window ? [window] : [],
  });
  return {
    loginAccountIp: rule("login-account-ip", accountIp),
    loginAccount: rule("login-account", account),
    loginIp: rule("login-ip", ip),
    auth: { name: "auth", windows: settings.rateLimits.auth } satisfies RateLimitRule,
  };
}
