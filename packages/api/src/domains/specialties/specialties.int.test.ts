import { selectRows } from "@medical/db";
import { doctorSpecialties, specialties } from "@medical/db/schema";
import { eq, sql } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { callerFor } from "#testing/caller.ts";
import { makeDoctor, makeSpecialty } from "#testing/factories/doctors.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { signInAs } from "#testing/sign-in.ts";

const file = useFileDeps();

const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;

describe("specialties", () => {
  test("are unique after removing case and accents, listed publicly, written by admins only", async () => {
    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    const name = `Médecine interne ${unique()}`;
    const created = await admin.specialties.create({ name });
    await expect(
      admin.specialties.create({ name: name.replace("Médecine", "MEDECINE") }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    const listed = await callerFor(file.deps).specialties.list({ limit: 100 });
    expect(listed.items.map((s) => s.id)).toContain(created.id);
    const { caller: staff } = await signInAs(file.deps, "STAFF");
    await expect(staff.specialties.create({ name: `Autre ${unique()}` })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(
      callerFor(file.deps).specialties.create({ name: `Autre ${unique()}` }),
    ).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });

  test("list in pages by name, accents and case aside, with a cursor that neither skips nor repeats", async () => {
    const marker = unique();
    const names = [`Zz ${marker} Écho`, `zz ${marker} Bêta`, `ZZ ${marker} alpha`, `zz ${marker} delta`];
    for (const name of names) await makeSpecialty(file.db, name);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pageNo = 0; pageNo < 100; pageNo++) {
      const page = await callerFor(file.deps).specialties.list({ limit: 3, cursor });
      seen.push(...page.items.map((s) => s.name));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((name) => name.includes(marker))).toEqual([
      `ZZ ${marker} alpha`,
      `zz ${marker} Bêta`,
      `zz ${marker} delta`,
      `Zz ${marker} Écho`,
    ]);
    await expect(callerFor(file.deps).specialties.list({ cursor: "tampered" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  test("in use cannot be deleted (IN_USE, audited), also when a doctor takes it at the same moment", async () => {
    const { caller: admin, user: adminUser } = await signInAs(file.deps, "ADMIN");
    const used = await makeSpecialty(file.db);
    await makeDoctor(file.db, { specialtyIds: [used.id] });
    await expect(admin.specialties.delete({ id: used.id })).rejects.toMatchObject({
      code: "CONFLICT",
      cause: { code: "IN_USE" },
    });
    const refusals = await selectRows(
      file.db,
      sql`select action, outcome, actor_id, details from audit_events where target_id = ${used.id}`,
    );
    expect(refusals).toEqual([
      {
        action: "specialty.deleted",
        outcome: "DENIED",
        actor_id: adminUser.id,
        details: { reason: "in_use" },
      },
    ]);

    const contested = await makeSpecialty(file.db);
    const { doctor } = await makeDoctor(file.db);
    const results = await Promise.allSettled([
      admin.specialties.delete({ id: contested.id }),
      admin.doctors.update({ id: doctor.id, specialtyIds: [contested.id] }),
    ]);
    const linked = await file.db.$count(doctorSpecialties, eq(doctorSpecialties.specialtyId, contested.id));
    const exists = await file.db.$count(specialties, eq(specialties.id, contested.id));
    // Either the delete won (and the link was refused) or the link won (and the delete was IN_USE): never a dangling link.
    expect(linked === 0 || exists === 1).toBe(true);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    await expect(admin.specialties.delete({ id: crypto.randomUUID() })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  test("creating, renaming and deleting leave their audit events", async () => {
    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    const created = await admin.specialties.create({ name: `Néphrologie ${unique()}` });
    await admin.specialties.update({ id: created.id, description: "Reins" });
    await admin.specialties.delete({ id: created.id });
    const events = await selectRows(
      file.db,
      sql`select action, outcome from audit_events where target_id = ${created.id} order by id`,
    );
    expect(events).toEqual([
      { action: "specialty.created", outcome: "SUCCESS" },
      { action: "specialty.updated", outcome: "SUCCESS" },
      { action: "specialty.deleted", outcome: "SUCCESS" },
    ]);
  });
});
