import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { DatabaseLockedError, lockDataDir } from "./lock.ts";

const tempDir = () => join(mkdtempSync(join(tmpdir(), "medical-lock-")), "pglite");

describe("embedded database lock", () => {
  test("refuses a second holder with a message that says what to do", () => {
    const dir = tempDir();
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(DatabaseLockedError);
    expect(() => lockDataDir(dir)).toThrow(/in use by process \d+.*DATABASE_URL/);
    release();
    lockDataDir(dir)();
  });

  test("takes over a lock left by a process that died", async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ["-e", ""]);
    const deadPid = await new Promise<number>((resolve) => child.on("exit", () => resolve(child.pid ?? 0)));
    writeFileSync(`${dir}.lock`, String(deadPid));
    const release = lockDataDir(dir);
    release();
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });
});
