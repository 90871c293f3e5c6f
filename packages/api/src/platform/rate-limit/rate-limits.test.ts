import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, test, vi } from "vitest";
import { DomainError } from "../errors/errors.ts";
import { createRateLimits, type RateLimitRule, type RateLimits } from "./index.ts";

const threePer10s: RateLimitRule = { name: "three", windows: [{ points: 3, durationMs: 10_000 }] };

/** The error a refused call throws, so its details can be checked. */
async function refusal(limits: RateLimits, rule: RateLimitRule, key: string): Promise<DomainError> {
  const error: unknown = await limits.consume(rule, key).then(
    () => null,
    (reason: unknown) => reason,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

async function consumeTimes(limits: RateLimits, rule: RateLimitRule, key: string, times: number) {
  for (let i = 0; i < times; i++) await limits.consume(rule, key);
}

function retryAfter(error: DomainError): unknown {
  return error.details?.retryAfterSeconds;
}

describe("in memory", () => {
  test("N calls pass and the next one is RATE_LIMITED with a Retry-After within the window", async () => {
    const limits = createRateLimits({ keyPrefix: "t" });
    await consumeTimes(limits, threePer10s, "1.2.3.4", 3);
    const error = await refusal(limits, threePer10s, "1.2.3.4");
    expect(error.code).toBe("RATE_LIMITED");
    const seconds = retryAfter(error);
    expect(Number.isInteger(seconds)).toBe(true);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(10);
    expect(error.message).toBe(`Too many requests; try again in ${String(seconds)} seconds`);
  });

  test("other keys and other rules keep their own counters", async () => {
    const limits = createRateLimits({ keyPrefix: "t" });
    const otherRule: RateLimitRule = { name: "other", windows: [{ points: 3, durationMs: 10_000 }] };
    await consumeTimes(limits, threePer10s, "a@example.com", 3);
    await expect(limits.consume(threePer10s, "a@example.com")).rejects.toMatchObject({
      code: "RATE_LIMITED",
    });
    await consumeTimes(limits, threePer10s, "b@example.com", 3);
    await consumeTimes(limits, otherRule, "a@example.com", 3);
  });

  test("two in-memory instances count separately, even with the same prefix", async () => {
    const a = createRateLimits({ keyPrefix: "t" });
    const b = createRateLimits({ keyPrefix: "t" });
    await consumeTimes(a, threePer10s, "k", 3);
    await consumeTimes(b, threePer10s, "k", 3);
  });

  test("with every window exhausted, Retry-After is the longest wait", async () => {
    const limits = createRateLimits({ keyPrefix: "t" });
    const rule: RateLimitRule = {
      name: "both",
      windows: [
        { points: 2, durationMs: 1_000 },
        { points: 2, durationMs: 10_000 },
      ],
    };
    await consumeTimes(limits, rule, "k", 2);
    const seconds = retryAfter(await refusal(limits, rule, "k"));
    expect(seconds).toBeGreaterThanOrEqual(9);
    expect(seconds).toBeLessThanOrEqual(10);
  });

  test("the longer window bites after the shorter one resets; refused calls count too", async () => {
    const limits = createRateLimits({ keyPrefix: "t" });
    const rule: RateLimitRule = {
      name: "burst",
      windows: [
        { points: 3, durationMs: 1_000 },
        { points: 5, durationMs: 10_000 },
      ],
    };
    // The memory store reads Date.now() and expires keys with timers: fake both, advance 1.05 s.
    vi.useFakeTimers({ toFake: ["Date", "setTimeout", "clearTimeout"] });
    try {
      await consumeTimes(limits, rule, "k", 3);
      // Only the 1 s window is exhausted (4/3); the 10 s one stands at 4/5.
      expect(retryAfter(await refusal(limits, rule, "k"))).toBe(1);
      await vi.advanceTimersByTimeAsync(1_050);
      await limits.consume(rule, "k"); // 1/3 and 5/5
      const seconds = retryAfter(await refusal(limits, rule, "k")); // 2/3 and 6/5
      expect(seconds).toBeGreaterThan(1);
      expect(seconds).toBeLessThanOrEqual(10);
    } finally {
      vi.useRealTimers();
    }
  });

  test("reset() frees the key and only that key", async () => {
    const limits = createRateLimits({ keyPrefix: "t" });
    await consumeTimes(limits, threePer10s, "a", 3);
    await consumeTimes(limits, threePer10s, "b", 3);
    await limits.reset(threePer10s, "a");
    await consumeTimes(limits, threePer10s, "a", 3);
    await expect(limits.consume(threePer10s, "b")).rejects.toMatchObject({ code: "RATE_LIMITED" });
  });

  test("check() refuses exactly when consume() would, and counts nothing", async () => {
    const limits = createRateLimits({ keyPrefix: "t" });
    for (let i = 0; i < 5; i++) await limits.check(threePer10s, "k");
    await consumeTimes(limits, threePer10s, "k", 2);
    await limits.check(threePer10s, "k");
    await limits.consume(threePer10s, "k");
    const error = await limits.check(threePer10s, "k").then(
      () => null,
      (reason: unknown) => reason,
    );
    expect(error).toMatchObject({ code: "RATE_LIMITED", details: { retryAfterSeconds: expect.any(Number) } });
    await limits.check(threePer10s, "other");
  });

  test("counted() tells whether a key holds a count, until reset", async () => {
    const limits = createRateLimits({ keyPrefix: "t" });
    expect(await limits.counted(threePer10s, "k")).toBe(false);
    await limits.consume(threePer10s, "k");
    expect(await limits.counted(threePer10s, "k")).toBe(true);
    expect(await limits.counted(threePer10s, "other")).toBe(false);
    await limits.reset(threePer10s, "k");
    expect(await limits.counted(threePer10s, "k")).toBe(false);
  });

  test("long keys are bounded by hashing and stay distinct", async () => {
    const limits = createRateLimits({ keyPrefix: "t" });
    const long = "x".repeat(500);
    await consumeTimes(limits, threePer10s, `${long}1`, 3);
    await expect(limits.consume(threePer10s, `${long}1`)).rejects.toMatchObject({ code: "RATE_LIMITED" });
    await consumeTimes(limits, threePer10s, `${long}2`, 3);
  });

  test("a malformed rule is a programming error, not a rate limit", async () => {
    const limits = createRateLimits({ keyPrefix: "t" });
    const halfSecond: RateLimitRule = { name: "half", windows: [{ points: 1, durationMs: 500 }] };
    await expect(limits.consume(halfSecond, "k")).rejects.toThrow(/whole number of seconds/);
    const colon: RateLimitRule = { name: "a:b", windows: [{ points: 1, durationMs: 1_000 }] };
    await expect(limits.consume(colon, "k")).rejects.toThrow(/free of ":"/);
    const tooLong: RateLimitRule = { name: "long", windows: [{ points: 1, durationMs: 30 * 86_400_000 }] };
    await expect(limits.consume(tooLong, "k")).rejects.toThrow(/cannot exceed/);
    const redefined: RateLimitRule = { name: "three", windows: [{ points: 4, durationMs: 10_000 }] };
    await limits.consume(threePer10s, "k");
    await expect(limits.consume(redefined, "k")).rejects.toThrow(/defined twice/);
  });
});

const redisUrl = inject("redisUrl");

describe.skipIf(!redisUrl)("with Redis", () => {
  // A fresh prefix per run, so parallel runs and leftovers of earlier ones never collide.
  const keyPrefix = `rl-test-${randomUUID()}`;
  const clients: Redis[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) clients.push(new Redis(redisUrl ?? ""));
    // Until a client is ready the limiter counts in memory: wait so the test sees Redis.
    await Promise.all(clients.map((client) => client.ping()));
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.quit()));
  });

  test("two instances sharing a prefix share their counters", async () => {
    const [one, two] = clients.map((redis) => createRateLimits({ keyPrefix, redis }));
    if (!one || !two) throw new Error("two clients expected");
    await consumeTimes(one, threePer10s, "10.0.0.1", 2);
    await two.consume(threePer10s, "10.0.0.1");
    const error = await refusal(one, threePer10s, "10.0.0.1");
    expect(error.code).toBe("RATE_LIMITED");
    expect(retryAfter(error)).toBeGreaterThanOrEqual(1);
    expect(retryAfter(error)).toBeLessThanOrEqual(10);
    expect(await clients[0]?.keys(`${keyPrefix}:*`)).toHaveLength(1);

    await two.reset(threePer10s, "10.0.0.1");
    await consumeTimes(one, threePer10s, "10.0.0.1", 3);
    await expect(two.consume(threePer10s, "10.0.0.1")).rejects.toMatchObject({ code: "RATE_LIMITED" });
    await expect(two.check(threePer10s, "10.0.0.1")).rejects.toMatchObject({ code: "RATE_LIMITED" });
    expect(await two.counted(threePer10s, "10.0.0.1")).toBe(true);
    expect(await two.counted(threePer10s, "10.0.0.2")).toBe(false);
  });
});

describe("during a Redis outage", () => {
  const down = new Redis({
    host: "127.0.0.1",
    port: 1,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The failed connection is the point of the test: keep it out of the output.
  down.on("error", () => {});

  afterAll(() => {
    down.disconnect();
  });

  test("limits per instance through the insurance limiter and throws nothing else", async () => {
    const limits = createRateLimits({ keyPrefix: `rl-test-${randomUUID()}`, redis: down });
    await consumeTimes(limits, threePer10s, "k", 3);
    const error = await refusal(limits, threePer10s, "k");
    expect(error.code).toBe("RATE_LIMITED");
    expect(retryAfter(error)).toBeGreaterThanOrEqual(1);
    expect(retryAfter(error)).toBeLessThanOrEqual(10);

    await limits.reset(threePer10s, "k");
    await consumeTimes(limits, threePer10s, "k", 3);
    expect((await refusal(limits, threePer10s, "k")).code).toBe("RATE_LIMITED");
    await expect(limits.check(threePer10s, "k")).rejects.toMatchObject({ code: "RATE_LIMITED" });
    expect(await limits.counted(threePer10s, "k")).toBe(true);
  });
});
