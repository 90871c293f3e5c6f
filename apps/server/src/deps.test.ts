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
