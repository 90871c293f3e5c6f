import type { TestDatabase } from "@medical/db/testing";
import { openFileDatabase } from "@medical/db/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Deps } from "#platform/deps.ts";
import { callerFor } from "#testing/caller.ts";
import { makeTestDeps } from "#testing/deps.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { signIn, signInAs } from "#testing/sign-in.ts";

let handle: TestDatabase;
let deps: Deps;
beforeAll(async () => {
  handle = await openFileDatabase();
  deps = makeTestDeps(handle);
});
afterAll(() => handle.close());

async function patient() {
  return (await signIn(deps, (await makePatient(handle.db)).user)).caller;
}

describe("favourites", () => {
  test("are idempotent, listed newest first, and drop deactivated doctors", async () => {
    const caller = await patient();
    const first = await makeDoctor(handle.db);
    const second = await makeDoctor(handle.db);
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
    const { caller: admin } = await signInAs(deps, "ADMIN");
    await admin.doctors.delete({ id: first.doctor.id });
    expect((await caller.favorites.list({ limit: 10 })).items).toEqual([]);
  });

  test("are each patient's own: another patient neither sees nor removes them", async () => {
    const { doctor } = await makeDoctor(handle.db);
    const owner = await patient();
    const other = await patient();
    await owner.favorites.add({ id: doctor.id });
    expect((await other.favorites.list({})).items).toEqual([]);
    await other.favorites.remove({ id: doctor.id });
    expect((await owner.favorites.list({})).items.map((d) => d.id)).toEqual([doctor.id]);
  });

  test("need a patient profile (PROFILE_REQUIRED), a patient role (FORBIDDEN) and a visible doctor (NOT_FOUND)", async () => {
    const { doctor } = await makeDoctor(handle.db);
    const { caller: withoutProfile } = await signInAs(deps, "PATIENT");
    await expect(withoutProfile.favorites.add({ id: doctor.id })).rejects.toMatchObject({
      code: "CONFLICT",
      cause: { code: "PROFILE_REQUIRED" },
    });
    const { caller: staff } = await signInAs(deps, "STAFF");
    await expect(staff.favorites.add({ id: doctor.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(deps).favorites.list({ limit: 5 })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    const caller = await patient();
    await expect(caller.favorites.add({ id: crypto.randomUUID() })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const { doctor: inactive } = await makeDoctor(handle.db, { isActive: false });
    await expect(caller.favorites.add({ id: inactive.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
