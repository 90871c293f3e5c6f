import type { AuditMeta } from "#platform/audit/audit.ts";
import type { Deps, Settings } from "#platform/deps.ts";
import { MAX_TIMER_MS, type RateLimitRule, type RateWindow } from "#platform/rate-limit/rate-limits.ts";

const rule = (name: string, windows: readonly RateWindow[]): RateLimitRule => ({ name, windows });

/**
 * Password checks count failures, not attempts, so failures elsewhere slow an attacker without
 * stopping the owner (docs/decisions/0011-login-limits.md, API-CONTRACT §5). Login: per
 * (account, IP), so an attacker elsewhere cannot lock a doctor out; per account against
 * distributed guessing, except for a client that signed in to the account before; per IP. The
 * current-password check of a password change reuses the first and last windows, per account and
 * per IP. The other auth routes are limited per IP, every attempt counting.
 */
function rateRules(settings: Settings) {
  const [accountIp, account, ip] = settings.rateLimits.login;
  return {
    loginAccountIp: rule("login-account-ip", accountIp ? [accountIp] : []),
    loginAccount: rule("login-account", account ? [account] : []),
    loginIp: rule("login-ip", ip ? [ip] : []),
    // A marker, not a limit: an (account, IP) that signed in is remembered as long as the store can.
    knownClient: rule("login-known-client", [{ points: Number.MAX_SAFE_INTEGER, durationMs: MAX_TIMER_MS }]),
    passwordAccount: rule("password-account", accountIp ? [accountIp] : []),
    passwordIp: rule("password-ip", ip ? [ip] : []),
    auth: rule("auth", settings.rateLimits.auth),
  };
}

type Limits = Pick<Deps, "rateLimits" | "settings">;
type Counter = readonly [RateLimitRule, string];

// A rule configured without windows limits nothing.
const configured = (counters: readonly Counter[]) => counters.filter(([limit]) => limit.windows.length);

/** What `check` found for one counter: nothing, or the RATE_LIMITED it threw. */
const checked = (deps: Limits, [limit, key]: Counter): Promise<PromiseSettledResult<void>> =>
  limit.windows.length
    ? deps.rateLimits.check(limit, key).then(
        (value) => ({ status: "fulfilled", value }),
        (reason: unknown) => ({ status: "rejected", reason }),
      )
    : Promise.resolve({ status: "fulfilled", value: undefined });

/** Throws the refusal of the first spent counter, in the rule's order (the counters were read at once). */
function refuseFirst(results: readonly PromiseSettledResult<void>[]): void {
  for (const result of results) if (result.status === "rejected") throw result.reason;
}

/**
 * Refuses now if a counter is spent, counting nothing; `failed()` then counts the failure in each.
 * Concurrent attempts may all pass the check before any failure counts: the hasher's queue bounds
 * that burst.
 */
async function limitFailures(deps: Limits, counters: readonly Counter[]) {
  const active = configured(counters);
  refuseFirst(await Promise.all(active.map((counter) => checked(deps, counter))));
  return failures(deps, active);
}

/** `failed()` counts one failure in each of the active counters. */
function failures(deps: Limits, active: readonly Counter[]) {
  return {
    async failed(): Promise<void> {
      await Promise.all(active.map(([limit, key]) => deps.rateLimits.consume(limit, key)));
    },
  };
}

const ipOf = (audit: AuditMeta) => audit.origin.ip ?? "unknown";

/** register, forgot, reset, verify-email: per client IP. */
export async function limitAuthRoute(deps: Limits, audit: AuditMeta): Promise<void> {
  const [counter] = configured([[rateRules(deps.settings).auth, ipOf(audit)]]);
  if (counter) await deps.rateLimits.consume(...counter);
}

/**
 * Before any hashing: refuses a spent (account, IP), account or IP. The caller reports the
 * outcome: `failed()` counts it, `succeeded()` forgets this (account, IP)'s failures and
 * remembers the pair, which the per-account window then leaves alone.
 */
export async function limitLogin(deps: Limits, audit: AuditMeta, email: string) {
  const rules = rateRules(deps.settings);
  const pair = `${email}|${ipOf(audit)}`;
  const accountIp: Counter = [rules.loginAccountIp, pair];
  const account: Counter = [rules.loginAccount, email];
  const ip: Counter = [rules.loginIp, ipOf(audit)];
  // The marker and the three counters are read at once; the per-account one matters only if unknown.
  const [known, accountIpResult, accountResult, ipResult] = await Promise.all([
    deps.rateLimits.counted(rules.knownClient, pair),
    checked(deps, accountIp),
    checked(deps, account),
    checked(deps, ip),
  ]);
  refuseFirst(known ? [accountIpResult, ipResult] : [accountIpResult, accountResult, ipResult]);
  const { failed } = failures(deps, configured(known ? [accountIp, ip] : [accountIp, account, ip]));
  return {
    failed,
    async succeeded(): Promise<void> {
      await Promise.all([
        ...configured([accountIp]).map((c) => deps.rateLimits.reset(...c)),
        // Reset first so the memory lasts from the latest sign-in.
        deps.rateLimits
          .reset(rules.knownClient, pair)
          .then(() => deps.rateLimits.consume(rules.knownClient, pair)),
      ]);
    },
  };
}

/** Before verifying a signed-in account's current password: per account and per IP. */
export function limitPasswordCheck(deps: Limits, audit: AuditMeta, userId: string) {
  const rules = rateRules(deps.settings);
  return limitFailures(deps, [
    [rules.passwordAccount, userId],
    [rules.passwordIp, ipOf(audit)],
  ]);
}
