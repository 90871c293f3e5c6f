import { describe, expect, test } from "vitest";
import { callerFor } from "#testing/caller.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { signIn, signInAs } from "#testing/sign-in.ts";

const file = useFileDeps();

async function patient() {
  return (await signIn(file.deps, (await makePatient(file.db)).user)).caller;
}

describe("favourites", () => {
  test("are idempotent, listed newest first, and drop deactivated doctors", async () => {
    const caller = await patient();
    const first = await makeDoctor(file.db);
    const second = await makeDoctor(file.db);
    await caller.favorites.add({ id: first.doctor.id });
    await caller.favorites.add({ id: first.doctor.id });
    await caller.favorites.add({ id: second.doctor.id });
    const page = await caller.favorites.list({ limit: 1 });
    expect(page.items.map((d) => d.id)).toEqual([second.doctor.id]);
    const next = await caller.favorites.list({ limit: 1, cursor: page.nextCursor ?? "" });
    expect(next.items.map((d) => d.id)).toEqual([first.doctor.id]);
    expect(next.nextCursor).toBeNull();

    await caller.favorites.remove({ id: second.doctor.id });
    await caller.favorites.remove({ id: second.doctor.id });
    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    await admin.doctors.delete({ id: first.doctor.id });
    expect((await caller.favorites.list({ limit: 10 })).items).toEqual([]);
  });

  test("are each patient's own: another patient neither sees nor removes them", async () => {
    const { doctor } = await makeDoctor(file.db);
    const owner = await patient();
    const other = await patient();
    await owner.favorites.add({ id: doctor.id });
    expect((await other.favorites.list({})).items).toEqual([]);
    await other.favorites.remove({ id: doctor.id });
    expect((await owner.favorites.list({})).items.map((d) => d.id)).toEqual([doctor.id]);
  });

  test("need a patient profile (PROFILE_REQUIRED), a patient role (FORBIDDEN) and a visible doctor (NOT_FOUND)", async () => {
    const { doctor } = await makeDoctor(file.db);
    const { caller: withoutProfile } = await signInAs(file.deps, "PATIENT");
    await expect(withoutProfile.favorites.add({ id: doctor.id })).rejects.toMatchObject({
      code: "CONFLICT",
      cause: { code: "PROFILE_REQUIRED" },
    });
    const { caller: staff } = await signInAs(file.deps, "STAFF");
    await expect(staff.favorites.add({ id: doctor.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(file.deps).favorites.list({ limit: 5 })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    const caller = await patient();
    await expect(caller.favorites.add({ id: crypto.randomUUID() })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const { doctor: inactive } = await makeDoctor(file.db, { isActive: false });
    await expect(caller.favorites.add({ id: inactive.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
