import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createArgon2Hasher } from "@medical/api";
import { createDb } from "@medical/db";
import { auditEvents, users } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

/**
 * Runs `admin:create` as its own process with exactly the given environment: nothing is
 * inherited, so a developer's DATABASE_URL can never point the test at a real database.
 */
function adminCreate(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/admin-create.ts"], {
      cwd: packageDir,
      env,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "medical-admin-create-"));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

test("prints the generated password once on stdout, and it signs the new admin in", async () => {
  const run = await adminCreate({
    NODE_ENV: "development",
    DATA_DIR: join(dataDir, "ok"),
    ADMIN_EMAIL: "First.Admin@Clinic.dz",
    ARGON2_MEMORY_KIB: "1024",
    ARGON2_ITERATIONS: "1",
  });

  expect(run.stderr).not.toMatch(/failed/);
  expect(run.code).toBe(0);
  const password = /^Password: (\S+)$/m.exec(run.stdout)?.[1] ?? "";
  expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
  expect(run.stdout.split(password)).toHaveLength(2);
  expect(run.stderr).not.toContain(password);

  // The process has exited, so its PGlite folder is free to open here.
  const handle = await createDb({ dataDir: join(dataDir, "ok", "pglite") });
  try {
    const [admin] = await handle.db.select().from(users).where(eq(users.email, "first.admin@clinic.dz"));
    expect(admin).toMatchObject({ role: "ADMIN", isActive: true });
    expect(
      await createArgon2Hasher({ memoryKib: 1024, iterations: 1 }).verify(
        admin?.passwordHash ?? "",
        password,
      ),
    ).toBe(true);
    const audit = await handle.db.select().from(auditEvents).where(eq(auditEvents.action, "user.created"));
    expect(audit).toEqual([
      expect.objectContaining({ targetId: admin?.id, details: { role: "ADMIN", via: "cli" } }),
    ]);
  } finally {
    await handle.close();
  }
}, 90_000); // a fresh PGlite migrates in the child, then again here: 22 s on a quiet CI machine, past 30 s under load

test("refuses NODE_ENV=production with argon2 cost below OWASP, before touching the database", async () => {
  const run = await adminCreate({
    NODE_ENV: "production",
    DATA_DIR: join(dataDir, "weak"),
    ADMIN_EMAIL: "admin@clinic.dz",
    ARGON2_MEMORY_KIB: "1024",
  });

  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/ARGON2_MEMORY_KIB ≥ 19456/);
  expect(run.stdout).toBe("");
  expect(existsSync(join(dataDir, "weak", "pglite"))).toBe(false);
});
