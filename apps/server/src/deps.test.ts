import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb } from "@medical/db";
import pino from "pino";
import { expect, test } from "vitest";
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
  const { deps, close } = buildDeps(config, handle, pino({ level: "silent" }));
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
    const unset = buildDeps(loadConfig(production), handle, logger);
    expect(unset.deps.settings.publicUrl).toBe("http://localhost:3000");
    expect(lines.join("\n")).toContain("PUBLIC_URL is unset");
    await unset.close();
    lines.length = 0;
    const set = buildDeps(
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
