import { defineAccessTable } from "#testing/access-table.ts";
import { callerFor } from "#testing/caller.ts";
import { makeDoctor, makeSpecialty } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { signIn, signInAs } from "#testing/sign-in.ts";

const adminOnly = {
  anonymous: "UNAUTHORIZED",
  patient: "FORBIDDEN",
  doctor: "FORBIDDEN",
  staff: "FORBIDDEN",
  admin: "ok",
} as const;

/** Specialties are reference data: everyone reads them, only admins write them. One is in use. */
export const accessTable = defineAccessTable({
  domain: "specialties",
  async world(deps) {
    const unused = await makeSpecialty(deps.db);
    const used = await makeSpecialty(deps.db);
    await makeDoctor(deps.db, { specialtyIds: [used.id] });
    return { unusedId: unused.id, usedId: used.id };
  },
  callers: {
    anonymous: async (deps) => callerFor(deps),
    patient: async (deps) => (await signIn(deps, (await makePatient(deps.db)).user)).caller,
    doctor: async (deps) => (await signIn(deps, (await makeDoctor(deps.db)).user)).caller,
    staff: async (deps) => (await signInAs(deps, "STAFF")).caller,
    admin: async (deps) => (await signInAs(deps, "ADMIN")).caller,
  },
  cases: [
    {
      procedure: "specialties.create",
      call: (caller) => caller.specialties.create({ name: `Spécialité ${crypto.randomUUID()}` }),
      expect: adminOnly,
    },
    {
      procedure: "specialties.update",
      call: (caller, world) => caller.specialties.update({ id: world.unusedId, description: "Changed" }),
      expect: adminOnly,
    },
    {
      procedure: "specialties.delete",
      call: (caller, world) => caller.specialties.delete({ id: world.unusedId }),
      expect: adminOnly,
    },
    {
      procedure: "specialties.delete",
      name: "one a doctor has",
      call: (caller, world) => caller.specialties.delete({ id: world.usedId }),
      expect: { ...adminOnly, admin: "CONFLICT" },
    },
  ],
});
