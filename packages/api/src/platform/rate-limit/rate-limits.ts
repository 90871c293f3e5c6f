import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";
import { DomainError } from "../errors/errors.ts";

export interface RateWindow {
  points: number;
  /** A whole number of seconds × 1000: the stores count in seconds. */
  durationMs: number;
}

/** A named limit: every window applies; the key is what is limited (an IP, an account, both). */
export interface RateLimitRule {
  /** Unique per rule and free of ":", which separates the parts of a stored key. */
  name: string;
  windows: readonly RateWindow[];
}

export interface RateLimits {
  /**
   * Takes one point from every window of the rule for this key, or throws
   * `DomainError("RATE_LIMITED")` with details `{ retryAfterSeconds }` (whole seconds ≥ 1, the
   * longest wait among exhausted windows). A refused call still counts in every window, so a
   * client that keeps hammering stays limited instead of spending the longer windows' budget
   * the moment the shortest one resets.
   */
  consume(rule: RateLimitRule, key: string): Promise<void>;
  /**
   * Throws the `RATE_LIMITED` that `consume` would throw now, without counting the call: for
   * limits that count only some outcomes (login failures), checked before the work.
   */
  check(rule: RateLimitRule, key: string): Promise<void>;
  /** Whether any window of the rule holds a count for the key (a remembered fact, e.g. a past sign-in). */
  counted(rule: RateLimitRule, key: string): Promise<boolean>;
  /** Forgets a key's counters for a rule (e.g. after a successful login, the per-account+IP counter). */
  reset(rule: RateLimitRule, key: string): Promise<void>;
}

/** One window's limiter, plus its in-memory fallback so `reset` can clear both. */
interface WindowLimiter {
  window: RateWindow;
  limiter: RateLimiterAbstract;
  insurance?: RateLimiterMemory;
}

const MAX_KEY_LENGTH = 200;
/** Node's longest timer, in whole seconds: about 24.8 days. */
export const MAX_TIMER_MS = Math.floor((2 ** 31 - 1) / 1000) * 1000;

/**
 * Rate limits counted in memory (one instance) or, with `redis`, shared by every instance using
 * the same `keyPrefix`. The Redis client should connect on its own (no `lazyConnect`): while it
 * is not ready, counting falls back to this instance's memory.
 */
export function createRateLimits(options: { keyPrefix: string; redis?: Redis }): RateLimits {
  const { keyPrefix, redis } = options;
  const limiters = new Map<string, WindowLimiter>();

  function limiterFor(rule: RateLimitRule, index: number, window: RateWindow): WindowLimiter {
    const id = `${rule.name}:${index}`;
    const cached = limiters.get(id);
    if (cached) {
      // Two rules sharing a name would silently share counters with the first one's limits.
      if (cached.window.points !== window.points || cached.window.durationMs !== window.durationMs)
        throw new Error(`Rate limit rule "${rule.name}" is defined twice with different windows`);
      return cached;
    }
    const limiterOptions = {
      keyPrefix: `${keyPrefix}:${id}`,
      points: window.points,
      duration: window.durationMs / 1000,
    };
    let created: WindowLimiter;
    if (redis) {
      // The insurance limiter keeps limiting per instance during a Redis outage, instead of
      // failing every request (or letting every request through).
      const insurance = new RateLimiterMemory(limiterOptions);
      const limiter = new RateLimiterRedis({
        ...limiterOptions,
        storeClient: redis,
        insuranceLimiter: insurance,
        // A client that is reconnecting would queue the command and stall the request: fall
        // back at once instead.
        rejectIfRedisNotReady: true,
      });
      created = { window, limiter, insurance };
    } else {
      created = { window, limiter: new RateLimiterMemory(limiterOptions) };
    }
    limiters.set(id, created);
    return created;
  }

  function windowLimiters(rule: RateLimitRule): WindowLimiter[] {
    checkRule(rule);
    return rule.windows.map((window, index) => limiterFor(rule, index, window));
  }

  return {
    async consume(rule, key) {
      const storedKey = boundKey(key);
      // All windows are consumed, even when one is already exhausted (see RateLimits.consume).
      const results = await Promise.allSettled(
        windowLimiters(rule).map(({ limiter }) => limiter.consume(storedKey)),
      );
      const waits: number[] = [];
      for (const result of results) {
        if (result.status === "fulfilled") continue;
        // Anything but a RateLimiterRes is a store failure the insurance limiter could not absorb.
        if (!(result.reason instanceof RateLimiterRes)) throw result.reason;
        waits.push(result.reason.msBeforeNext);
      }
      refuseIfWaiting(waits);
    },

    async check(rule, key) {
      const storedKey = boundKey(key);
      const counts = await Promise.all(
        windowLimiters(rule).map(async ({ window, limiter }) => ({
          window,
          res: await limiter.get(storedKey),
        })),
      );
      // A window whose points are all spent would refuse the next consume.
      refuseIfWaiting(
        counts.flatMap(({ window, res }) =>
          res && res.consumedPoints >= window.points ? [res.msBeforeNext] : [],
        ),
      );
    },

    async counted(rule, key) {
      const storedKey = boundKey(key);
      const counts = await Promise.all(windowLimiters(rule).map(({ limiter }) => limiter.get(storedKey)));
      return counts.some((res) => res !== null && res.consumedPoints > 0);
    },

    async reset(rule, key) {
      const storedKey = boundKey(key);
      // The insurance counters are cleared too, or a later outage would revive counts taken
      // during an earlier one.
      await Promise.all(
        windowLimiters(rule).flatMap(({ limiter, insurance }) => [
          limiter.delete(storedKey),
          ...(insurance ? [insurance.delete(storedKey)] : []),
        ]),
      );
    },
  };
}

/** Throws RATE_LIMITED for the longest of the windows' waits, if any window refuses. */
function refuseIfWaiting(waitsMs: readonly number[]): void {
  if (waitsMs.length === 0) return;
  const retryAfterSeconds = Math.max(1, Math.ceil(Math.max(...waitsMs) / 1000));
  throw new DomainError("RATE_LIMITED", `Too many requests; try again in ${retryAfterSeconds} seconds`, {
    retryAfterSeconds,
  });
}

/**
 * Keys may hold user input (an email): long ones are hashed so a client cannot make us store
 * arbitrarily large keys. A short key spelling a hash could only collide with a long key whose
 * text the client already knows, so it gains nothing over sending that key.
 */
function boundKey(key: string): string {
  if (key.length <= MAX_KEY_LENGTH) return key;
  return `sha256:${createHash("sha256").update(key).digest("hex")}`;
}

/** Rules are written by us, not clients: a bad one is a programming error, reported loudly. */
function checkRule(rule: RateLimitRule): void {
  if (rule.name === "" || rule.name.includes(":"))
    throw new Error(`Rate limit rule name "${rule.name}" must be non-empty and free of ":"`);
  if (rule.windows.length === 0) throw new Error(`Rate limit rule "${rule.name}" has no window`);
  for (const { points, durationMs } of rule.windows) {
    if (!Number.isInteger(points) || points < 1)
      throw new Error(`Rate limit rule "${rule.name}": points must be a positive integer`);
    // The stores count in whole seconds, and a duration of 0 would mean "never expires".
    if (!Number.isInteger(durationMs) || durationMs < 1000 || durationMs % 1000 !== 0)
      throw new Error(`Rate limit rule "${rule.name}": durationMs must be a whole number of seconds`);
    // The in-memory store expires keys with a timer, and longer timers fire at once.
    if (durationMs > MAX_TIMER_MS)
      throw new Error(`Rate limit rule "${rule.name}": durationMs cannot exceed ${MAX_TIMER_MS}`);
  }
}
