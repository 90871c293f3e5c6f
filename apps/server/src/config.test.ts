import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

const dataDir = () => mkdtempSync(join(tmpdir(), "medical-config-"));
const key = (id: string) => `${id}:${Buffer.alloc(32, 7).toString("base64")}`;
const productionEnv = {
  NODE_ENV: "production",
  JWT_SECRET: "s".repeat(40),
  ENCRYPTION_KEYS: key("k1"),
  MAIL_TRANSPORT: "file",
};

describe("configuration", () => {
  test("needs nothing in development: PGlite under .data at the repository root, local CORS", () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    expect(config).toMatchObject({ env: "development", port: 3000, host: "0.0.0.0", databaseUrl: undefined });
    expect(config.corsOrigins).toEqual(["http://localhost:*", "http://127.0.0.1:*"]);
    expect(config.jwt.accessTtlMs).toBe(15 * 60_000);
    expect(config.argon2).toEqual({ memoryKib: 19_456, iterations: 2 });
    // With secrets given nothing is written, so the real default folder is safe to compute.
    const defaults = loadConfig({ JWT_SECRET: productionEnv.JWT_SECRET, ENCRYPTION_KEYS: key("k1") });
    expect(defaults.dataDir).toMatch(/[/\\]\.data$/);
    expect(defaults.dataDir).not.toContain(join("apps", "server"));
  });

  test("generates development secrets once, keeps them private, and reuses them", () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    expect(first.jwt.secret.length).toBeGreaterThanOrEqual(32);
    expect(second.jwt.secret).toBe(first.jwt.secret);
    expect(second.encryptionKeys[0]?.key.equals(first.encryptionKeys[0]?.key ?? Buffer.alloc(0))).toBe(true);
    const file = join(dir, "dev-secrets.json");
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(readFileSync(file, "utf8")).toContain(first.jwt.secret);
  });

  test("production refuses to start without secrets, a mail transport or OWASP hashing", () => {
    expect(() => loadConfig({ NODE_ENV: "production", DATA_DIR: dataDir() })).toThrow(
      /JWT_SECRET[\s\S]*ENCRYPTION_KEYS[\s\S]*MAIL_TRANSPORT/,
    );
    expect(() => loadConfig({ ...productionEnv, ARGON2_MEMORY_KIB: "8192" })).toThrow(/OWASP/);
    expect(loadConfig({ ...productionEnv, DATA_DIR: dataDir() }).corsOrigins).toEqual([]);
  });

  test("PUBLIC_URL names the feed addresses' origin: localhost on PORT without it, never a query", () => {
    expect(loadConfig({ DATA_DIR: dataDir(), PORT: "8080" })).toMatchObject({
      publicUrl: "http://localhost:8080",
      publicUrlConfigured: false,
    });
    expect(
      loadConfig({ DATA_DIR: dataDir(), PUBLIC_URL: "https://api.clinic.example.dz/medical/" }),
    ).toMatchObject({ publicUrl: "https://api.clinic.example.dz/medical", publicUrlConfigured: true });
    for (const bad of ["api.clinic.example.dz", "ftp://api.clinic.example.dz", "https://a.dz/?x=1"])
      expect(() => loadConfig({ DATA_DIR: dataDir(), PUBLIC_URL: bad }), bad).toThrow(/PUBLIC_URL/);
  });

  test("calendar feeds are limited to 60 reads an hour each unless configured", () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).rateLimits.calendarFeed).toEqual([
      { points: 60, durationMs: 3_600_000 },
    ]);
    expect(
      loadConfig({ DATA_DIR: dataDir(), RATE_LIMIT_CALENDAR_FEED: "12/1h,2/1m" }).rateLimits.calendarFeed,
    ).toEqual([
      { points: 12, durationMs: 3_600_000 },
      { points: 2, durationMs: 60_000 },
    ]);
  });

  test("patient data exports are limited to 5 per user in 10 minutes unless configured", () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).rateLimits.export).toEqual([
      { points: 5, durationMs: 600_000 },
    ]);
    expect(loadConfig({ DATA_DIR: dataDir(), RATE_LIMIT_EXPORT: "2/1h" }).rateLimits.export).toEqual([
      { points: 2, durationMs: 3_600_000 },
    ]);
    expect(() => loadConfig({ DATA_DIR: dataDir(), RATE_LIMIT_EXPORT: "lots" })).toThrow(/RATE_LIMIT_EXPORT/);
  });

  test("the audit sealer runs every second unless configured, between 1s and 1h", () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).auditSealIntervalMs).toBe(1_000);
    expect(loadConfig({ DATA_DIR: dataDir(), AUDIT_SEAL_INTERVAL: "5s" }).auditSealIntervalMs).toBe(5_000);
    for (const bad of ["0s", "2h", "500ms"])
      expect(() => loadConfig({ DATA_DIR: dataDir(), AUDIT_SEAL_INTERVAL: bad }), bad).toThrow(
        /AUDIT_SEAL_INTERVAL/,
      );
  });

  test("patients are reminded 24 h and 2 h ahead unless configured: whole minutes up to 30 days", () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).reminderOffsetsMinutes).toEqual([1_440, 120]);
    expect(
      loadConfig({ DATA_DIR: dataDir(), REMINDER_OFFSETS: "30m,2d,30m" }).reminderOffsetsMinutes,
    ).toEqual([2_880, 30]);
    for (const bad of ["2h,", "30s", "31d", "soon", "0m"])
      expect(() => loadConfig({ DATA_DIR: dataDir(), REMINDER_OFFSETS: bad }), bad).toThrow(
        /REMINDER_OFFSETS/,
      );
  });

  test("development may lower the hashing cost for tests", () => {
    expect(
      loadConfig({ DATA_DIR: dataDir(), ARGON2_MEMORY_KIB: "1024", ARGON2_ITERATIONS: "1" }).argon2,
    ).toEqual({
      memoryKib: 1024,
      iterations: 1,
    });
  });

  test("password hashing runs two at a time with 32 waiting unless configured", () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).argon2Queue).toEqual({ concurrency: 2, queue: 32 });
    expect(
      loadConfig({ DATA_DIR: dataDir(), ARGON2_CONCURRENCY: "4", ARGON2_QUEUE: "0" }).argon2Queue,
    ).toEqual({ concurrency: 4, queue: 0 });
    expect(() => loadConfig({ DATA_DIR: dataDir(), ARGON2_CONCURRENCY: "0" })).toThrow(/ARGON2_CONCURRENCY/);
  });

  test.each([
    [{ ACCESS_TOKEN_TTL: "16m" }, /ACCESS_TOKEN_TTL cannot exceed 15m/],
    [{ ACCESS_TOKEN_TTL: "soon" }, /ACCESS_TOKEN_TTL must look like/],
    [{ JWT_SECRET: "short" }, /JWT_SECRET must be at least 32 characters/],
    [{ ENCRYPTION_KEYS: "k1:dG9vLXNob3J0" }, /32-byte keys/],
    [{ DATABASE_URL: "mysql://db/app" }, /DATABASE_URL: must be a postgres/],
    [{ PORT: "http" }, /PORT/],
    [{ RATE_LIMIT_LOGIN: "ten per minute" }, /RATE_LIMIT_LOGIN/],
    [{ RATE_LIMIT_LOGIN: "5/1m" }, /three windows/],
    [{ MAIL_TRANSPORT: "smtp" }, /SMTP_URL/],
  ])("rejects %o with a message naming the setting", (env, message) => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: dataDir(), ...env })).toThrow(message);
  });

  test("parses rate limits, trust proxy and explicit origins", () => {
    const config = loadConfig({
      DATA_DIR: dataDir(),
      RATE_LIMIT_LOGIN: "5/1m,50/1h,200/1h",
      TRUST_PROXY: "1",
      CORS_ORIGINS: "https://app.clinic.dz, https://*.clinic.dz",
    });
    expect(config.rateLimits.login).toEqual([
      { points: 5, durationMs: 60_000 },
      { points: 50, durationMs: 3_600_000 },
      { points: 200, durationMs: 3_600_000 },
    ]);
    expect(config.rateLimits.public).toEqual([
      { points: 20, durationMs: 1_000 },
      { points: 40, durationMs: 2_000 },
    ]);
    expect(config.trustProxy).toBe(1);
    expect(config.corsOrigins).toEqual(["https://app.clinic.dz", "https://*.clinic.dz"]);
  });

  test("caps WebSockets per user and per socket by default, per IP only when asked", () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).webSockets).toEqual({
      maxSocketsPerUser: 20,
      maxSocketsPerIp: undefined,
      maxSubscriptionsPerSocket: 100,
    });
    const config = loadConfig({
      DATA_DIR: dataDir(),
      WS_MAX_SOCKETS_PER_IP: "500",
      WS_MAX_SOCKETS_PER_USER: "5",
    });
    expect(config.webSockets).toMatchObject({ maxSocketsPerUser: 5, maxSocketsPerIp: 500 });
    expect(() => loadConfig({ DATA_DIR: dataDir(), WS_MAX_SOCKETS_PER_USER: "0" })).toThrow(
      /WS_MAX_SOCKETS_PER_USER/,
    );
  });

  test("serves /metrics nowhere unless a token or a port is set; the port listens on loopback by default", () => {
    const token = "t".repeat(32);
    expect(loadConfig({ DATA_DIR: dataDir() }).metrics).toBeUndefined();
    expect(loadConfig({ DATA_DIR: dataDir(), METRICS_TOKEN: token }).metrics).toEqual({
      token,
      port: undefined,
      host: "127.0.0.1",
    });
    expect(loadConfig({ DATA_DIR: dataDir(), METRICS_PORT: "9464" }).metrics).toEqual({
      token: undefined,
      port: 9464,
      host: "127.0.0.1",
    });
    expect(() => loadConfig({ DATA_DIR: dataDir(), METRICS_TOKEN: "short" })).toThrow(/METRICS_TOKEN/);
    expect(() => loadConfig({ DATA_DIR: dataDir(), METRICS_PORT: "3000" })).toThrow(/METRICS_PORT/);
  });

  test("shares events through Redis with REDIS_URL, else NOTIFY with DATABASE_URL, else in process; EVENT_BUS picks", () => {
    const DATABASE_URL = "postgres://medical@db.clinic.dz:5432/medical";
    const REDIS_URL = "redis://cache.clinic.dz:6379";
    const busOf = (env: Record<string, string>) => loadConfig({ DATA_DIR: dataDir(), ...env }).eventBus;
    const channel = "medical_events";
    expect(busOf({})).toEqual({ kind: "memory" });
    expect(busOf({ DATABASE_URL })).toEqual({ kind: "postgres", url: DATABASE_URL, channel });
    expect(busOf({ REDIS_URL })).toEqual({ kind: "redis", url: REDIS_URL, channel });
    expect(busOf({ DATABASE_URL, REDIS_URL })).toEqual({ kind: "redis", url: REDIS_URL, channel });
    expect(busOf({ DATABASE_URL, REDIS_URL, EVENT_BUS: "postgres" })).toMatchObject({ kind: "postgres" });
    expect(busOf({ DATABASE_URL, REDIS_URL, EVENT_BUS: "memory" })).toEqual({ kind: "memory" });
    expect(busOf({ REDIS_URL, EVENT_BUS_CHANNEL: "staging:events" })).toMatchObject({
      channel: "staging:events",
    });
    expect(() => busOf({ REDIS_URL, EVENT_BUS: "postgres" })).toThrow(
      "EVENT_BUS=postgres requires DATABASE_URL",
    );
    expect(() => busOf({ DATABASE_URL, EVENT_BUS: "redis" })).toThrow("EVENT_BUS=redis requires REDIS_URL");
    expect(() => busOf({ EVENT_BUS: "kafka" })).toThrow(/EVENT_BUS/);
    for (const bad of ["two words", "x".repeat(64), "événements"])
      expect(() => busOf({ EVENT_BUS_CHANNEL: bad }), bad).toThrow(/EVENT_BUS_CHANNEL/);
  });

  test("production refuses an open metrics listener beyond loopback", () => {
    const open = { ...productionEnv, DATA_DIR: dataDir(), METRICS_PORT: "9464", METRICS_HOST: "0.0.0.0" };
    expect(() => loadConfig(open)).toThrow(/METRICS_TOKEN/);
    expect(loadConfig({ ...open, METRICS_TOKEN: "t".repeat(32) }).metrics?.host).toBe("0.0.0.0");
    expect(loadConfig({ ...open, METRICS_HOST: "127.0.0.1" }).metrics?.port).toBe(9464);
    expect(loadConfig({ ...open, NODE_ENV: "development" }).metrics?.host).toBe("0.0.0.0");
  });
});
