import { createArgon2Hasher, type PasswordHasher } from "@medical/api";
import { makeUser } from "@medical/api/testing";
import { auditEvents, users } from "@medical/db/schema";
import type { TestDatabase } from "@medical/db/testing";
import { openFileDatabase } from "@medical/db/testing/vitest";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type EnsureAdminInput, ensureAdmin } from "./admin.ts";
import { operatorAudit, operatorDeps } from "./operator.ts";

// Cheap argon2id: verification reads the cost from the hash, so the code path is the real one.
const hasher = createArgon2Hasher({ memoryKib: 1024, iterations: 1 });
const names = { firstName: "Admin", lastName: "Clinic" };

let database: TestDatabase;
beforeAll(async () => {
  database = await openFileDatabase();
});
afterAll(async () => {
  await database.close();
});

async function userRow(id: string) {
  const [row] = await database.db.select().from(users).where(eq(users.id, id));
  if (!row) throw new Error(`no user ${id}`);
  return row;
}
const auditRowsFor = (id: string) =>
  database.db.select().from(auditEvents).where(eq(auditEvents.targetId, id));

describe("ensureAdmin", () => {
  test("creates an active, verified ADMIN with a generated password and one audit event", async () => {
    const result = await ensureAdmin(operatorDeps(database.db, hasher), operatorAudit(), {
      email: "first@clinic.dz",
      ...names,
      via: "cli",
    });

    expect(result.created).toBe(true);
    if (!result.created) return;
    expect(result.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const row = await userRow(result.user.id);
    expect(row).toMatchObject({ email: "first@clinic.dz", role: "ADMIN", isActive: true, ...names });
    expect(row.emailVerifiedAt).toBeInstanceOf(Date);
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await hasher.verify(row.passwordHash ?? "", result.generatedPassword ?? "")).toBe(true);
    expect(await auditRowsFor(row.id)).toEqual([
      expect.objectContaining({
        action: "user.created",
        outcome: "SUCCESS",
        targetType: "user",
        actorId: null,
        details: { role: "ADMIN", via: "cli" },
      }),
    ]);
  });

  test("a second call is a no-op: same account, same hash, no new audit event", async () => {
    const first = await ensureAdmin(operatorDeps(database.db, hasher), operatorAudit(), {
      email: "again@clinic.dz",
      ...names,
      via: "cli",
    });
    if (!first.created) throw new Error("expected the first call to create the account");
    const hashBefore = (await userRow(first.user.id)).passwordHash;

    const second = await ensureAdmin(operatorDeps(database.db, hasher), operatorAudit(), {
      email: "Again@Clinic.dz",
      password: "Another-Password-123",
      ...names,
      via: "seed",
    });

    expect(second).toEqual({ created: false, user: first.user });
    expect((await userRow(first.user.id)).passwordHash).toBe(hashBefore);
    expect(await auditRowsFor(first.user.id)).toHaveLength(1);
    const sameEmail = await database.db.select().from(users).where(eq(users.email, "again@clinic.dz"));
    expect(sameEmail).toHaveLength(1);
  });

  test("trims and lower-cases the email, and keeps a given password", async () => {
    const result = await ensureAdmin(operatorDeps(database.db, hasher), operatorAudit(), {
      email: "  Mixed.Case@Clinic.DZ ",
      password: "Algeria123!",
      ...names,
      via: "seed",
    });

    expect(result.created).toBe(true);
    expect(result.user.email).toBe("mixed.case@clinic.dz");
    expect(result).not.toHaveProperty("generatedPassword");
    const row = await userRow(result.user.id);
    expect(await hasher.verify(row.passwordHash ?? "", "Algeria123!")).toBe(true);
    expect((await auditRowsFor(row.id))[0]?.details).toEqual({ role: "ADMIN", via: "seed" });
  });

  test("two concurrent calls for one email make one account; the other reports it", async () => {
    // Both calls look the email up before either inserts, so the unique index has to decide.
    const arrived: (() => void)[] = [];
    const bothLookedUp: PasswordHasher = {
      async hash(password) {
        await new Promise<void>((resolve) => {
          arrived.push(resolve);
          if (arrived.length === 2) for (const release of arrived) release();
        });
        return hasher.hash(password);
      },
      verify: hasher.verify,
    };
    const input: EnsureAdminInput = { email: "race@clinic.dz", ...names, via: "cli" };
    const results = await Promise.all([
      ensureAdmin(operatorDeps(database.db, bothLookedUp), operatorAudit(), input),
      ensureAdmin(operatorDeps(database.db, bothLookedUp), operatorAudit(), input),
    ]);

    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(results[0]?.user.id).toBe(results[1]?.user.id);
    expect(await auditRowsFor(results[0]?.user.id ?? "")).toHaveLength(1);
  });

  test("leaves an existing non-admin account alone and reports it", async () => {
    // Stored with capitals, as a row written before normalisation could be: lower(email) still finds it.
    const doctor = await makeUser(database.db, { email: "Dr.Existing@Clinic.dz", role: "DOCTOR" });

    const result = await ensureAdmin(operatorDeps(database.db, hasher), operatorAudit(), {
      email: "dr.existing@clinic.dz",
      ...names,
      via: "cli",
    });

    expect(result).toEqual({
      created: false,
      user: { id: doctor.id, email: "Dr.Existing@Clinic.dz", role: "DOCTOR", isActive: true },
    });
    expect(await userRow(doctor.id)).toEqual(doctor);
    expect(await auditRowsFor(doctor.id)).toHaveLength(0);
  });
});
