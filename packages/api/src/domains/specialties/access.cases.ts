import { anonymous, newAccount, newDoctor, newPatient } from "#testing/access-callers.ts";
import { defineAccessTable } from "#testing/access-table.ts";
import { makeDoctor, makeSpecialty } from "#testing/factories/doctors.ts";

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
    anonymous,
    patient: newPatient,
    doctor: newDoctor,
    staff: newAccount("STAFF"),
    admin: newAccount("ADMIN"),
  },
  cases: [
    {
      procedure: "specialties.create",
      call: (caller) => caller.specialties.create({ name: `Spécialité ${crypto.randomUUID()}` }),
      expect: { admin: "ok" },
    },
    {
      procedure: "specialties.update",
      call: (caller, world) => caller.specialties.update({ id: world.unusedId, description: "Changed" }),
      expect: { admin: "ok" },
    },
    {
      procedure: "specialties.delete",
      call: (caller, world) => caller.specialties.delete({ id: world.unusedId }),
      expect: { admin: "ok" },
    },
    {
      procedure: "specialties.delete",
      name: "one a doctor has",
      call: (caller, world) => caller.specialties.delete({ id: world.usedId }),
      expect: { admin: "CONFLICT" },
    },
  ],
});
