import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DomainEvents } from "@medical/api";
import { createDb } from "@medical/db";
import pino from "pino";
import { expect, inject, test } from "vitest";
import { loadConfig } from "./config.ts";
import { buildDeps } from "./deps.ts";

test("password hashing is queued: ARGON2_CONCURRENCY run, ARGON2_QUEUE wait, the next is RATE_LIMITED", async () => {
  const config = loadConfig({
    DATA_DIR: mkdtempSync(join(tmpdir(), "medical-deps-")),
    ARGON2_MEMORY_KIB: "1024",
    ARGON2_ITERATIONS: "1",
    ARGON2_CONCURRENCY: "1",
    ARGON2_QUEUE: "1",
  });
  const handle = await createDb();
  const { deps, close } = await buildDeps(config, handle, pino({ level: "silent" }));
  try {
    // Started together: one runs, one waits, the third finds the queue full.
    const outcomes = await Promise.allSettled([
      deps.hasher.hash("first password"),
      deps.hasher.hash("second password"),
      deps.hasher.hash("third password"),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    expect(outcomes[2]).toMatchObject({ reason: { code: "RATE_LIMITED" } });
  } finally {
    await close();
    await handle.close();
  }
});

test("production without PUBLIC_URL warns that feed addresses name localhost, and serves them under PUBLIC_URL once set", async () => {
  const lines: string[] = [];
  const logger = pino({ level: "warn" }, { write: (line: string) => lines.push(line) });
  const production = {
    NODE_ENV: "production",
    DATA_DIR: mkdtempSync(join(tmpdir(), "medical-deps-")),
    JWT_SECRET: "s".repeat(40),
    ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString("base64")}`,
    MAIL_TRANSPORT: "file",
  };
  const handle = await createDb();
  try {
    const unset = await buildDeps(loadConfig(production), handle, logger);
    expect(unset.deps.settings.publicUrl).toBe("http://localhost:3000");
    expect(lines.join("\n")).toContain("PUBLIC_URL is unset");
    await unset.close();
    lines.length = 0;
    const set = await buildDeps(
      loadConfig({ ...production, PUBLIC_URL: "https://api.clinic.example.dz" }),
      handle,
      logger,
    );
    expect(set.deps.settings.publicUrl).toBe("https://api.clinic.example.dz");
    expect(lines).toEqual([]);
    await set.close();
  } finally {
    await handle.close();
  }
});

const redisUrl = inject("redisUrl");

test.skipIf(!redisUrl)(
  "with REDIS_URL, deps built twice share domain events; close() lets go of Redis",
  async () => {
    const config = loadConfig({
      DATA_DIR: mkdtempSync(join(tmpdir(), "medical-deps-")),
      REDIS_URL: redisUrl ?? "",
      EVENT_BUS_CHANNEL: `deps_test_${randomBytes(6).toString("hex")}`,
    });
    const handle = await createDb();
    const [one, two] = [
      await buildDeps(config, handle, pino({ level: "silent" })),
      await buildDeps(config, handle, pino({ level: "silent" })),
    ];
    try {
      const event: DomainEvents["session.revoked"] = {
        v: 1,
        userId: randomUUID(),
        sessionIds: [randomUUID()],
        reason: "LOGOUT",
      };
      const heard = new Promise((resolve) => two.deps.events.subscribe("session.revoked", resolve));
      one.deps.events.publish("session.revoked", event);
      expect(await heard).toEqual(event);
    } finally {
      await Promise.all([one.close(), two.close()]);
      await handle.close();
    }
  },
);
