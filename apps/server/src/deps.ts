import { join } from "node:path";
import {
  createAccessTokens,
  createArgon2Hasher,
  createFieldCipher,
  createFileMailer,
  createInProcessEventBus,
  createPostgresEventBus,
  createRateLimits,
  createRedisEventBus,
  createSmtpMailer,
  type Deps,
  type EventBus,
  type Mailer,
  queueHashing,
  systemClock,
} from "@medical/api";
import type { DbHandle } from "@medical/db";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Config } from "./config.ts";
import { readVersion } from "./version.ts";

export interface Resources {
  deps: Deps;
  /** Closes what the deps opened (the event bus, Redis, SMTP); the database is closed by its owner. */
  close(): Promise<void>;
}

function mailerFor(config: Config): Mailer & { close?: () => void } {
  if (config.mail.transport === "smtp" && config.mail.smtpUrl)
    return createSmtpMailer(config.mail.smtpUrl, config.mail.from);
  return createFileMailer(join(config.dataDir, "outbox"), config.mail.from);
}

/** Resolves once a shared bus listens, so the instance hears other instances' events from its start. */
function openEventBus(
  config: Config["eventBus"],
  logger: Logger,
): Promise<EventBus & { close?: () => Promise<void> }> {
  switch (config.kind) {
    case "memory":
      return Promise.resolve(createInProcessEventBus());
    case "postgres":
      return createPostgresEventBus({ url: config.url, channel: config.channel, logger });
    case "redis":
      return createRedisEventBus({ url: config.url, channel: config.channel, logger });
  }
}

/** The composition root's one place that turns configuration into services' dependencies. */
export async function buildDeps(config: Config, handle: DbHandle, logger: Logger): Promise<Resources> {
  const clock = systemClock;
  const events = await openEventBus(config.eventBus, logger);
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { commandTimeout: 500, maxRetriesPerRequest: 1 })
    : undefined;
  redis?.on("error", (error: Error) => logger.warn({ errorClass: error.name }, "redis unavailable"));
  const mailer = mailerFor(config);
  if (config.env === "production" && !config.publicUrlConfigured)
    logger.warn(
      { publicUrl: config.publicUrl },
      "PUBLIC_URL is unset: calendar feed addresses name this machine's localhost; set the API's public origin",
    );
  const deps: Deps = {
    db: handle.db,
    dbKind: handle.kind,
    logger,
    clock,
    events,
    accessTokens: createAccessTokens(
      {
        secret: config.jwt.secret,
        issuer: config.jwt.issuer,
        audience: config.jwt.audience,
        ttlMs: config.jwt.accessTtlMs,
      },
      clock,
    ),
    hasher: queueHashing(createArgon2Hasher(config.argon2), config.argon2Queue),
    fieldCipher: createFieldCipher(config.encryptionKeys),
    mailer,
    rateLimits: createRateLimits({ keyPrefix: "medical:rl", redis }),
    settings: {
      refreshTtlMs: config.jwt.refreshTtlMs,
      requireVerifiedEmail: config.requireVerifiedEmail,
      bookingCapPerDoctor: config.bookingCapPerDoctor,
      reminderOffsetsMinutes: config.reminderOffsetsMinutes,
      appUrl: config.appUrl,
      publicUrl: config.publicUrl,
      rateLimits: config.rateLimits,
    },
    version: readVersion(),
    startedAt: clock.now(),
  };
  return {
    deps,
    async close() {
      await events.close?.();
      mailer.close?.();
      await redis?.quit().catch(() => undefined);
    },
  };
}
