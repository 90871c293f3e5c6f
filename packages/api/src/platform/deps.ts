import type { Database, DatabaseKind } from "@medical/db";
import type { Logger } from "pino";
import type { AccessTokens } from "./auth/access-tokens.ts";
import type { PasswordHasher } from "./auth/passwords.ts";
import type { FieldCipher } from "./crypto/field-cipher.ts";
import type { EventBus } from "./events/event-bus.ts";
import type { Mailer } from "./mail/mailer.ts";
import type { RateLimits, RateWindow } from "./rate-limit/rate-limits.ts";

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface Settings {
  /** Refresh tokens (sessions) live this long, sliding with every refresh. */
  refreshTtlMs: number;
  requireVerifiedEmail: boolean;
  /** Front-end base URL for links in mail (optional: mail always carries the token itself). */
  appUrl?: string;
  /** Most future SCHEDULED appointments one patient may hold with one doctor (BOOKING_CAP_PER_DOCTOR). */
  bookingCapPerDoctor: number;
  /** Minutes before a SCHEDULED appointment its patient is reminded (REMINDER_OFFSETS), largest first. */
  reminderOffsetsMinutes: readonly number[];
  /** This API's own origin as clients reach it (PUBLIC_URL), without a trailing slash: feed URLs. */
  publicUrl: string;
  rateLimits: {
    /** Per (account, IP), per account, per IP, in that order (API-CONTRACT §5). */
    login: readonly RateWindow[];
    auth: readonly RateWindow[];
    public: readonly RateWindow[];
    /** Per calendar feed (its owner), however many addresses poll it. */
    calendarFeed: readonly RateWindow[];
    /** Per user: patient data exports, the caller's own or ADMIN's of any patient (RATE_LIMIT_EXPORT). */
    export: readonly RateWindow[];
  };
}

/** Everything a service may touch, built once by the composition root (apps/server/src/main.ts). */
export interface Deps {
  db: Database;
  dbKind: DatabaseKind;
  logger: Logger;
  clock: Clock;
  events: EventBus;
  accessTokens: AccessTokens;
  hasher: PasswordHasher;
  /** Encrypts clinical fields at rest (ENCRYPTION_KEYS). */
  fieldCipher: FieldCipher;
  mailer: Mailer;
  rateLimits: RateLimits;
  settings: Settings;
  /** The running release, reported by health. */
  version: string;
  startedAt: Date;
}
