import { anonymous, doctorWithAppointment, newAccount, newDoctor } from "#testing/access-callers.ts";
import { defineAccessTable } from "#testing/access-table.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { makeUser } from "#testing/factories/users.ts";
import { signIn } from "#testing/sign-in.ts";

/** A case's own verdict on an answer that succeeded but withheld something (a row, some fields). */
function withheld(code: "NOT_FOUND" | "FORBIDDEN", what: string): Error {
  return Object.assign(new Error(what), { code });
}

/**
 * The owner is a PATIENT with a profile (and clinical fields); the other patient has an account
 * but no profile yet, so a "me" route that answered someone else's profile would show as "ok"
 * instead of the service's own NOT_FOUND. Doctors: `doctor` has no appointment with the owner;
 * the treating ones have one SCHEDULED, COMPLETED or NO_SHOW (scheduling's care relationship);
 * `cancelledDoctor` only a CANCELLED one, which makes no care relationship.
 */
export const accessTable = defineAccessTable({
  domain: "patients",
  async world(deps) {
    const { patient, user } = await makePatient(deps.db, {
      clinical: { cipher: deps.fieldCipher, data: { allergies: ["Pénicilline"] } },
    });
    const spareAccount = await makeUser(deps.db, { role: "PATIENT" });
    return {
      owner: user,
      patientId: patient.id,
      ownerLastName: user.lastName,
      spareAccountId: spareAccount.id,
    };
  },
  callers: {
    anonymous,
    owner: async (deps, world) => (await signIn(deps, world.owner)).caller,
    otherSameRole: newAccount("PATIENT"),
    doctor: newDoctor,
    treatingDoctor: doctorWithAppointment("SCHEDULED"),
    pastDoctor: doctorWithAppointment("COMPLETED"),
    noShowDoctor: doctorWithAppointment("NO_SHOW"),
    cancelledDoctor: doctorWithAppointment("CANCELLED"),
    staff: newAccount("STAFF"),
    admin: newAccount("ADMIN"),
  },
  cases: [
    {
      procedure: "patients.me",
      async call(caller, world) {
        const profile = await caller.patients.me();
        if (profile.id !== world.patientId) throw new Error("GET /patients/me answered another profile");
      },
      expect: { owner: "ok", otherSameRole: "NOT_FOUND" },
    },
    {
      procedure: "patients.createMe",
      call: (caller) => caller.patients.createMe({ dateOfBirth: "1990-01-01" }),
      expect: { owner: "CONFLICT", otherSameRole: "ok" },
    },
    {
      procedure: "patients.updateMe",
      async call(caller, world) {
        const profile = await caller.patients.updateMe({ city: "Batna" });
        if (profile.id !== world.patientId) throw new Error("PATCH /patients/me changed another profile");
      },
      expect: { owner: "ok", otherSameRole: "NOT_FOUND" },
    },
    {
      procedure: "patients.list",
      name: "searching the owner's name: every row listed opens for the caller",
      // A listed row the caller may not open (the owner's, for a doctor who does not treat them)
      // turns this case into GET's NOT_FOUND: the list and the resource share one predicate.
      async call(caller, world) {
        const page = await caller.patients.list({ q: world.ownerLastName, limit: 100 });
        for (const item of page.items) {
          if ("clinical" in item) throw new Error("a list item carries clinical fields");
          await caller.patients.get({ id: item.id });
        }
      },
      expect: {
        doctor: "ok",
        treatingDoctor: "ok",
        pastDoctor: "ok",
        noShowDoctor: "ok",
        cancelledDoctor: "ok",
        staff: "ok",
        admin: "ok",
      },
    },
    {
      procedure: "patients.list",
      name: "the owner is in the caller's list (NOT_FOUND: missing from it)",
      async call(caller, world) {
        const page = await caller.patients.list({ q: world.ownerLastName, limit: 100 });
        if (!page.items.some((item) => item.id === world.patientId))
          throw withheld("NOT_FOUND", "the owner is not in the list");
      },
      expect: {
        doctor: "NOT_FOUND",
        treatingDoctor: "ok",
        pastDoctor: "ok",
        noShowDoctor: "ok",
        cancelledDoctor: "NOT_FOUND",
        staff: "ok",
        admin: "ok",
      },
    },
    {
      procedure: "patients.create",
      name: "for a PATIENT account without a profile",
      call: (caller, world) =>
        caller.patients.create({ userId: world.spareAccountId, dateOfBirth: "1990-01-01" }),
      expect: { staff: "ok", admin: "ok" },
    },
    {
      procedure: "patients.create",
      name: "for the owner's account, which has one",
      call: (caller, world) => caller.patients.create({ userId: world.owner.id, dateOfBirth: "1990-01-01" }),
      expect: { staff: "CONFLICT", admin: "CONFLICT" },
    },
    {
      procedure: "patients.get",
      name: "clinical fields (FORBIDDEN: answered without them)",
      async call(caller, world) {
        const profile = await caller.patients.get({ id: world.patientId });
        if (!profile.clinical?.allergies.includes("Pénicilline"))
          throw withheld("FORBIDDEN", "no clinical fields");
      },
      expect: {
        owner: "ok",
        otherSameRole: "NOT_FOUND",
        doctor: "NOT_FOUND",
        treatingDoctor: "ok",
        pastDoctor: "ok",
        noShowDoctor: "ok",
        cancelledDoctor: "NOT_FOUND",
        admin: "ok",
      },
    },
    {
      procedure: "patients.get",
      call: (caller, world) => caller.patients.get({ id: world.patientId }),
      expect: {
        owner: "ok",
        otherSameRole: "NOT_FOUND",
        doctor: "NOT_FOUND",
        treatingDoctor: "ok",
        pastDoctor: "ok",
        noShowDoctor: "ok",
        cancelledDoctor: "NOT_FOUND",
        staff: "ok",
        admin: "ok",
      },
    },
    {
      procedure: "patients.update",
      name: "demographics",
      call: (caller, world) => caller.patients.update({ id: world.patientId, city: "Tlemcen" }),
      // A treating doctor reads the profile but writes none of it.
      expect: {
        owner: "ok",
        otherSameRole: "NOT_FOUND",
        doctor: "NOT_FOUND",
        treatingDoctor: "FORBIDDEN",
        pastDoctor: "FORBIDDEN",
        noShowDoctor: "FORBIDDEN",
        cancelledDoctor: "NOT_FOUND",
        staff: "ok",
        admin: "ok",
      },
    },
    {
      procedure: "patients.update",
      name: "clinical fields",
      call: (caller, world) => caller.patients.update({ id: world.patientId, clinical: { bloodType: "A+" } }),
      expect: {
        owner: "ok",
        otherSameRole: "NOT_FOUND",
        doctor: "NOT_FOUND",
        treatingDoctor: "FORBIDDEN",
        pastDoctor: "FORBIDDEN",
        noShowDoctor: "FORBIDDEN",
        cancelledDoctor: "NOT_FOUND",
        admin: "ok",
      },
    },
    {
      procedure: "patients.delete",
      call: (caller, world) => caller.patients.delete({ id: world.patientId }),
      expect: { admin: "ok" },
    },
    {
      procedure: "patients.delete",
      name: "an id that does not exist",
      call: (caller) => caller.patients.delete({ id: crypto.randomUUID() }),
      expect: { admin: "NOT_FOUND" },
    },
  ],
});
