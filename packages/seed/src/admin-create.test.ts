import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createArgon2Hasher } from "@medical/api";
import { auditEvents, users } from "@medical/db/schema";
import { processDatabase } from "@medical/db/testing/vitest";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { runCommand } from "./testing/command.ts";

const adminCreate = (env: Record<string, string>) => runCommand("admin-create.ts", env);

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "medical-admin-create-"));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

test("prints the generated password once on stdout, and it signs the new admin in", async () => {
  // The run's migrated template, copied: the command's own migration finds nothing to do.
  const database = await processDatabase(join(dataDir, "ok"));
  const run = await adminCreate({
    NODE_ENV: "development",
    ...database.env,
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
  const handle = await database.open();
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
    await database.drop();
  }
}, 90_000); // a process of its own (tsx loads the API's modules): past 30 s on a loaded machine

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
