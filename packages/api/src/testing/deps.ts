import type { DbHandle } from "@medical/db";
import pino, { type Logger } from "pino";
import { createAccessTokens } from "#platform/auth/access-tokens.ts";
import { createArgon2Hasher, type PasswordHasher } from "#platform/auth/passwords.ts";
import { createFieldCipher, type FieldCipher } from "#platform/crypto/field-cipher.ts";
import type { Clock, Deps, Settings } from "#platform/deps.ts";
import { createInProcessEventBus, type EventBus } from "#platform/events/event-bus.ts";
import type { Mailer } from "#platform/mail/mailer.ts";
import { createRateLimits, type RateLimits } from "#platform/rate-limit/rate-limits.ts";
import { createMemoryMailer } from "./memory-mailer.ts";

/** Cheap argon2id for tests: hashes still verify with any cost, the cost lives in the hash. */
export const testHasher = createArgon2Hasher({ memoryKib: 1024, iterations: 1 });
export const TEST_JWT_SECRET = "test-secret-that-is-at-least-32-characters-long";
export const TEST_ENCRYPTION_KEY = { id: "test1", key: Buffer.alloc(32, 7) };

const roomy = [{ points: 10_000, durationMs: 60_000 }];

export const testSettings: Settings = {
  refreshTtlMs: 30 * 24 * 60 * 60_000,
  requireVerifiedEmail: false,
  bookingCapPerDoctor: 2,
  reminderOffsetsMinutes: [24 * 60, 2 * 60],
  publicUrl: "http://localhost:3000",
  rateLimits: {
    login: [roomy[0]!, roomy[0]!, roomy[0]!],
    auth: roomy,
    public: roomy,
    calendarFeed: roomy,
    export: roomy,
  },
};

export interface TestDepsOptions {
  clock?: Clock;
  logger?: Logger;
  hasher?: PasswordHasher;
  fieldCipher?: FieldCipher;
  mailer?: Mailer;
  rateLimits?: RateLimits;
  events?: EventBus;
  settings?: Partial<Settings>;
  accessTtlMs?: number;
}

/** Deps over a test database with in-memory mail, events and limits. Logs are silent by default. */
export function makeTestDeps(handle: DbHandle, options: TestDepsOptions = {}): Deps {
  const clock = options.clock ?? { now: () => new Date() };
  return {
    db: handle.db,
    dbKind: handle.kind,
    logger: options.logger ?? pino({ level: "silent" }),
    clock,
    events: options.events ?? createInProcessEventBus(),
    accessTokens: createAccessTokens(
      {
        secret: TEST_JWT_SECRET,
        issuer: "medical-backend",
        audience: "medical-api",
        ttlMs: options.accessTtlMs ?? 15 * 60_000,
      },
      clock,
    ),
    hasher: options.hasher ?? testHasher,
    fieldCipher: options.fieldCipher ?? createFieldCipher([TEST_ENCRYPTION_KEY]),
    mailer: options.mailer ?? createMemoryMailer(),
    rateLimits: options.rateLimits ?? createRateLimits({ keyPrefix: `test-${process.pid}-${Math.random()}` }),
    settings: { ...testSettings, ...options.settings },
    version: "0.0.0-test",
    startedAt: new Date(),
  };
}
