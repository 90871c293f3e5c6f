import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { devSecrets, type EncryptionKey, parseEncryptionKeys } from "@medical/api";
import { z } from "zod";
import { parseDuration, parseRateLimits, type RateLimit } from "./durations.ts";

/** `.data` at the repository root, whatever folder a script runs in (API-CONTRACT §5). A relative
 * DATA_DIR is taken from where the command was typed (pnpm runs scripts in the package folder). */
const DEFAULT_DATA_DIR = fileURLToPath(new URL("../../../.data", import.meta.url));
const MAX_ACCESS_TTL_MS = 15 * 60_000;
const OWASP_ARGON2 = { memoryKib: 19_456, iterations: 2 };

const duration = (name: string, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined)
        ctx.addIssue({ code: "custom", message: `${name} must look like 30s, 15m, 1h or 30d` });
      return ms ?? 0;
    });

/** "24h,2h" → [1440, 120]: distinct whole minutes, largest first, each between 1m and 30d. */
const reminderOffsets = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx): number[] => {
      const minutes = text.split(",").map((part) => (parseDuration(part) ?? 0) / 60_000);
      if (minutes.some((m) => !Number.isInteger(m) || m < 1 || m > 30 * 24 * 60)) {
        ctx.addIssue({
          code: "custom",
          message: "REMINDER_OFFSETS must be durations of whole minutes up to 30d, e.g. 24h,2h",
        });
        return [];
      }
      return [...new Set(minutes)].sort((a, b) => b - a);
    });

const rateLimits = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx): RateLimit[] => {
      const limits = parseRateLimits(text);
      if (!limits) ctx.addIssue({ code: "custom", message: "expected a comma list like 10/15m,100/1h" });
      return limits ?? [];
    });

const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), "must be a postgres:// or postgresql:// URL");

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
  DATABASE_URL: postgresUrl.optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  // Which bus carries domain events between instances (docs/decisions/0033-shared-event-bus.md);
  // unset → Redis with REDIS_URL, else PostgreSQL NOTIFY with DATABASE_URL, else in-process.
  EVENT_BUS: z.enum(["memory", "postgres", "redis"]).optional(),
  // A NOTIFY channel is an identifier (63 bytes); Redis channels are shared by every database
  // number of a server, so two deployments on one Redis need two names.
  EVENT_BUS_CHANNEL: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,63}$/, "EVENT_BUS_CHANNEL takes 1 to 63 letters, digits and _ . : -")
    .default("medical_events"),
  JWT_SECRET: z.string().min(32, "JWT_SECRET must be at least 32 characters").optional(),
  JWT_ISSUER: z.string().min(1).default("medical-backend"),
  JWT_AUDIENCE: z.string().min(1).default("medical-api"),
  ACCESS_TOKEN_TTL: duration("ACCESS_TOKEN_TTL", "15m").refine(
    (ms) => ms <= MAX_ACCESS_TTL_MS,
    "ACCESS_TOKEN_TTL cannot exceed 15m",
  ),
  REFRESH_TOKEN_TTL: duration("REFRESH_TOKEN_TTL", "30d"),
  CORS_ORIGINS: z.string().optional(),
  TRUST_PROXY: z.string().default("false"),
  // Three windows, in order: per (account, IP), per account, per IP.
  RATE_LIMIT_LOGIN: rateLimits("10/15m,100/1h,100/15m").refine(
    (limits) => limits.length === 3,
    "RATE_LIMIT_LOGIN takes three windows: per (account, IP), per account, per IP (e.g. 10/15m,100/1h,100/15m)",
  ),
  RATE_LIMIT_AUTH: rateLimits("20/15m"),
  RATE_LIMIT_PUBLIC: rateLimits("20/1s,40/2s"),
  // Per calendar feed, whatever address polls it: clients refresh every few minutes at most.
  RATE_LIMIT_CALENDAR_FEED: rateLimits("60/1h"),
  // Per user: an export reads a patient's whole file in one transaction, and nobody needs it often.
  RATE_LIMIT_EXPORT: rateLimits("5/10m"),
  REQUIRE_VERIFIED_EMAIL: z.stringbool().default(false),
  // Stops slot hoarding: future SCHEDULED appointments one patient may hold with one doctor.
  // How long before a SCHEDULED appointment its patient is reminded (docs/decisions/0035-appointment-reminders.md).
  REMINDER_OFFSETS: reminderOffsets("24h,2h"),
  BOOKING_CAP_PER_DOCTOR: z.coerce.number().int().min(1).max(100).default(2),
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(1024).default(OWASP_ARGON2.memoryKib),
  ARGON2_ITERATIONS: z.coerce.number().int().min(1).default(OWASP_ARGON2.iterations),
  // Two cores' worth of hashing at once; a burst beyond the queue answers 429.
  ARGON2_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  ARGON2_QUEUE: z.coerce.number().int().min(0).max(10_000).default(32),
  MAIL_TRANSPORT: z.enum(["file", "smtp"]).optional(),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MAIL_FROM: z.string().min(3).max(200).default("medical-backend <no-reply@localhost>"),
  APP_URL: z.url({ protocol: /^https?$/ }).optional(),
  // This API's origin as clients reach it (behind a proxy, the proxy's): calendar feed addresses.
  PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .refine((url) => !/[?#]/.test(url), "PUBLIC_URL takes no query or fragment")
    .optional(),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(8).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ENCRYPTION_KEYS: z.string().optional(),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10_485_760).default(102_400),
  REQUEST_TIMEOUT: duration("REQUEST_TIMEOUT", "30s"),
  SHUTDOWN_TIMEOUT: duration("SHUTDOWN_TIMEOUT", "10s"),
  // How often the audit sealer chains new audit events (docs/decisions/0026-audit-hash-chain.md).
  AUDIT_SEAL_INTERVAL: duration("AUDIT_SEAL_INTERVAL", "1s").refine(
    (ms) => ms >= 1_000 && ms <= 3_600_000,
    "AUDIT_SEAL_INTERVAL must be between 1s and 1h",
  ),
  WS_MAX_SOCKETS_PER_USER: z.coerce.number().int().min(1).default(20),
  WS_MAX_SUBSCRIPTIONS_PER_SOCKET: z.coerce.number().int().min(1).default(100),
  // Off by default: clients behind one NAT share an address, and benchmarks open thousands from one.
  WS_MAX_SOCKETS_PER_IP: z.coerce.number().int().min(1).optional(),
  // Prometheus /metrics (docs/decisions/0017-metrics-and-health.md): served only when one is set.
  METRICS_TOKEN: z.string().min(32, "METRICS_TOKEN must be at least 32 characters").optional(),
  METRICS_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  METRICS_HOST: z.string().min(1).default("127.0.0.1"),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  env: Env["NODE_ENV"];
  port: number;
  host: string;
  dataDir: string;
  /** PostgreSQL, or undefined for embedded PGlite in `dataDir/pglite`. */
  databaseUrl?: string;
  redisUrl?: string;
  jwt: { secret: string; issuer: string; audience: string; accessTtlMs: number; refreshTtlMs: number };
  encryptionKeys: EncryptionKey[];
  /** Origin patterns (`*` matches one host label or a port); empty → no cross-origin access. */
  corsOrigins: string[];
  trustProxy: boolean | number | string;
  rateLimits: {
    login: RateLimit[];
    auth: RateLimit[];
    public: RateLimit[];
    calendarFeed: RateLimit[];
    export: RateLimit[];
  };
  requireVerifiedEmail: boolean;
  /** Future SCHEDULED appointments one patient may hold with one doctor. */
  bookingCapPerDoctor: number;
  /** Minutes before an appointment its reminders go out, largest first. */
  reminderOffsetsMinutes: number[];
  argon2: { memoryKib: number; iterations: number };
  /** Password hashes and checks running at once, and how many may wait (then 429). */
  argon2Queue: { concurrency: number; queue: number };
  mail: { transport: "file" | "smtp"; smtpUrl?: string; from: string };
  /** Front-end base URL for links in mail; without it mail carries the token alone. */
  appUrl?: string;
  /**
   * This API's origin as clients reach it, without a trailing slash: the calendar feed addresses
   * it hands out. PUBLIC_URL, else `http://localhost:PORT` (deps.ts warns in production).
   */
  publicUrl: string;
  /** Whether PUBLIC_URL was set (the default suits a developer's machine only). */
  publicUrlConfigured: boolean;
  admin: { email?: string; password?: string };
  logLevel: Env["LOG_LEVEL"];
  limits: { bodyBytes: number; requestTimeoutMs: number; shutdownTimeoutMs: number };
  /** Pause between two passes of the audit sealer. */
  auditSealIntervalMs: number;
  /** Caps on WebSockets (docs/decisions/0012-socket-gate.md); no per-IP cap when undefined. */
  webSockets: { maxSocketsPerUser: number; maxSocketsPerIp?: number; maxSubscriptionsPerSocket: number };
  /** Where /metrics is served; undefined → nowhere, and nothing is collected. */
  metrics?: MetricsConfig;
  /** How domain events reach the other instances' subscribers. */
  eventBus: EventBusConfig;
}

/** In-process (one instance), PostgreSQL LISTEN/NOTIFY, or Redis pub/sub on `channel`. */
export type EventBusConfig =
  | { kind: "memory" }
  | { kind: "postgres" | "redis"; url: string; channel: string };

/**
 * `/metrics` on the main port behind `Authorization: Bearer <token>` when `token` is set, and/or
 * on a listener of its own at `host:port` (which asks for the token too when there is one).
 */
export interface MetricsConfig {
  token?: string;
  port?: number;
  host: string;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

function encryptionKeysFrom(text: string): EncryptionKey[] {
  const keys = parseEncryptionKeys(text);
  if (!keys)
    throw new ConfigError(
      "ENCRYPTION_KEYS must be a comma list of kid:base64 entries with 32-byte keys and unique ids",
    );
  return keys;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

function metricsConfigOf(env: Env, production: boolean): MetricsConfig | undefined {
  const { METRICS_TOKEN: token, METRICS_PORT: port, METRICS_HOST: host } = env;
  if (port !== undefined && port === env.PORT) throw new ConfigError("METRICS_PORT must differ from PORT");
  // An open listener beyond this machine would publish traffic figures to anyone who can reach it.
  if (production && port !== undefined && !token && !LOOPBACK.test(host))
    throw new ConfigError(
      `NODE_ENV=production requires METRICS_TOKEN when METRICS_HOST (${host}) is not a loopback address`,
    );
  if (token === undefined && port === undefined) return undefined;
  return { token, port, host };
}

function eventBusConfigOf(env: Env): EventBusConfig {
  const kind = env.EVENT_BUS ?? (env.REDIS_URL ? "redis" : env.DATABASE_URL ? "postgres" : "memory");
  const channel = env.EVENT_BUS_CHANNEL;
  switch (kind) {
    case "memory":
      return { kind };
    case "postgres":
      // PGlite is one process: nothing to reach, and its in-process bus is the default.
      if (!env.DATABASE_URL) throw new ConfigError("EVENT_BUS=postgres requires DATABASE_URL");
      return { kind, url: env.DATABASE_URL, channel };
    case "redis":
      if (!env.REDIS_URL) throw new ConfigError("EVENT_BUS=redis requires REDIS_URL");
      return { kind, url: env.REDIS_URL, channel };
  }
}

function parseTrustProxy(text: string): boolean | number | string {
  if (text === "true" || text === "false") return text === "true";
  return /^\d+$/.test(text) ? Number(text) : text;
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `  - ${issue.path.join(".") || "(env)"}: ${issue.message}`).join("\n");
}

/**
 * The server's one reader of the environment. Throws ConfigError with every problem listed;
 * production refuses to start without real secrets, an explicit mail transport and OWASP hashing.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== "")));
  if (!parsed.success) throw new ConfigError(`Invalid configuration:\n${formatIssues(parsed.error)}`);
  const env = parsed.data;
  const production = env.NODE_ENV === "production";
  const dataDir = resolve(source.INIT_CWD ?? process.cwd(), env.DATA_DIR);

  if (production) {
    const missing = [
      !env.JWT_SECRET && "JWT_SECRET (at least 32 characters)",
      !env.ENCRYPTION_KEYS && "ENCRYPTION_KEYS (kid:base64key,…)",
      !env.MAIL_TRANSPORT && "MAIL_TRANSPORT (file or smtp)",
      (env.ARGON2_MEMORY_KIB < OWASP_ARGON2.memoryKib || env.ARGON2_ITERATIONS < OWASP_ARGON2.iterations) &&
        "ARGON2_MEMORY_KIB ≥ 19456 and ARGON2_ITERATIONS ≥ 2 (OWASP)",
    ].filter((item): item is string => typeof item === "string");
    if (missing.length) {
      throw new ConfigError(`NODE_ENV=production requires:\n${missing.map((m) => `  - ${m}`).join("\n")}`);
    }
  }
  if (env.MAIL_TRANSPORT === "smtp" && !env.SMTP_URL)
    throw new ConfigError("MAIL_TRANSPORT=smtp requires SMTP_URL");

  const metrics = metricsConfigOf(env, production);
  const eventBus = eventBusConfigOf(env);
  const generated = !env.JWT_SECRET || !env.ENCRYPTION_KEYS ? devSecrets(dataDir) : undefined;
  const corsOrigins = env.CORS_ORIGINS ?? (production ? "" : "http://localhost:*,http://127.0.0.1:*");

  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    dataDir,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    jwt: {
      secret: env.JWT_SECRET ?? generated?.jwtSecret ?? "",
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      accessTtlMs: env.ACCESS_TOKEN_TTL,
      refreshTtlMs: env.REFRESH_TOKEN_TTL,
    },
    encryptionKeys: encryptionKeysFrom(env.ENCRYPTION_KEYS ?? generated?.encryptionKeys ?? ""),
    corsOrigins: corsOrigins
      .split(",")
      .map((origin) => origin.trim())
      .filter(Boolean),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    rateLimits: {
      login: env.RATE_LIMIT_LOGIN,
      auth: env.RATE_LIMIT_AUTH,
      public: env.RATE_LIMIT_PUBLIC,
      calendarFeed: env.RATE_LIMIT_CALENDAR_FEED,
      export: env.RATE_LIMIT_EXPORT,
    },
    requireVerifiedEmail: env.REQUIRE_VERIFIED_EMAIL,
    bookingCapPerDoctor: env.BOOKING_CAP_PER_DOCTOR,
    reminderOffsetsMinutes: env.REMINDER_OFFSETS,
    argon2: { memoryKib: env.ARGON2_MEMORY_KIB, iterations: env.ARGON2_ITERATIONS },
    argon2Queue: { concurrency: env.ARGON2_CONCURRENCY, queue: env.ARGON2_QUEUE },
    mail: { transport: env.MAIL_TRANSPORT ?? "file", smtpUrl: env.SMTP_URL, from: env.MAIL_FROM },
    appUrl: env.APP_URL,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ""),
    publicUrlConfigured: env.PUBLIC_URL !== undefined,
    admin: { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD },
    logLevel: env.LOG_LEVEL,
    limits: {
      bodyBytes: env.BODY_LIMIT_BYTES,
      requestTimeoutMs: env.REQUEST_TIMEOUT,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT,
    },
    auditSealIntervalMs: env.AUDIT_SEAL_INTERVAL,
    webSockets: {
      maxSocketsPerUser: env.WS_MAX_SOCKETS_PER_USER,
      maxSocketsPerIp: env.WS_MAX_SOCKETS_PER_IP,
      maxSubscriptionsPerSocket: env.WS_MAX_SUBSCRIPTIONS_PER_SOCKET,
    },
    metrics,
    eventBus,
  };
}
