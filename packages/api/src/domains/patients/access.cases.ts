import { defineAccessTable } from "#testing/access-table.ts";
import { callerFor } from "#testing/caller.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { makeUser } from "#testing/factories/users.ts";
import { signIn, signInAs } from "#testing/sign-in.ts";

/**
 * The owner is a PATIENT with a profile (and clinical fields); the other patient has an account
 * but no profile yet, so a "me" route that answered someone else's profile would show as "ok"
 * instead of the service's own NOT_FOUND. The doctor treats nobody (no scheduling yet).
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
    anonymous: async (deps) => callerFor(deps),
    owner: async (deps, world) => (await signIn(deps, world.owner)).caller,
    otherSameRole: async (deps) => (await signInAs(deps, "PATIENT")).caller,
    doctor: async (deps) => (await signIn(deps, (await makeDoctor(deps.db)).user)).caller,
    staff: async (deps) => (await signInAs(deps, "STAFF")).caller,
    admin: async (deps) => (await signInAs(deps, "ADMIN")).caller,
  },
  cases: [
    {
      procedure: "patients.me",
      async call(caller, world) {
        const profile = await caller.patients.me();
        if (profile.id !== world.patientId) throw new Error("GET /patients/me answered another profile");
      },
      expect: {
        anonymous: "UNAUTHORIZED",
        owner: "ok",
        otherSameRole: "NOT_FOUND",
        doctor: "FORBIDDEN",
        staff: "FORBIDDEN",
        admin: "FORBIDDEN",
      },
    },
    {
      procedure: "patients.createMe",
      call: (caller) => caller.patients.createMe({ dateOfBirth: "1990-01-01" }),
      expect: {
        anonymous: "UNAUTHORIZED",
        owner: "CONFLICT",
        otherSameRole: "ok",
        doctor: "FORBIDDEN",
        staff: "FORBIDDEN",
        admin: "FORBIDDEN",
      },
    },
    {
      procedure: "patients.updateMe",
      async call(caller, world) {
        const profile = await caller.patients.updateMe({ city: "Batna" });
        if (profile.id !== world.patientId) throw new Error("PATCH /patients/me changed another profile");
      },
      expect: {
        anonymous: "UNAUTHORIZED",
        owner: "ok",
        otherSameRole: "NOT_FOUND",
        doctor: "FORBIDDEN",
        staff: "FORBIDDEN",
        admin: "FORBIDDEN",
      },
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
        anonymous: "UNAUTHORIZED",
        owner: "FORBIDDEN",
        otherSameRole: "FORBIDDEN",
        doctor: "ok",
        staff: "ok",
        admin: "ok",
      },
    },
    {
      procedure: "patients.create",
      name: "for a PATIENT account without a profile",
      call: (caller, world) =>
        caller.patients.create({ userId: world.spareAccountId, dateOfBirth: "1990-01-01" }),
      expect: {
        anonymous: "UNAUTHORIZED",
        owner: "FORBIDDEN",
        otherSameRole: "FORBIDDEN",
        doctor: "FORBIDDEN",
        staff: "ok",
        admin: "ok",
      },
    },
    {
      procedure: "patients.create",
      name: "for the owner's account, which has one",
      call: (caller, world) => caller.patients.create({ userId: world.owner.id, dateOfBirth: "1990-01-01" }),
      expect: {
        anonymous: "UNAUTHORIZED",
        owner: "FORBIDDEN",
        otherSameRole: "FORBIDDEN",
        doctor: "FORBIDDEN",
        staff: "CONFLICT",
        admin: "CONFLICT",
      },
    },
    {
      procedure: "patients.get",
      call: (caller, world) => caller.patients.get({ id: world.patientId }),
      expect: {
        anonymous: "UNAUTHORIZED",
        owner: "ok",
        otherSameRole: "NOT_FOUND",
        doctor: "NOT_FOUND",
        staff: "ok",
        admin: "ok",
      },
    },
    {
      procedure: "patients.update",
      name: "demographics",
      call: (caller, world) => caller.patients.update({ id: world.patientId, city: "Tlemcen" }),
      expect: {
        anonymous: "UNAUTHORIZED",
        owner: "ok",
        otherSameRole: "NOT_FOUND",
        doctor: "NOT_FOUND",
        staff: "ok",
        admin: "ok",
      },
    },
    {
      procedure: "patients.update",
      name: "clinical fields",
      call: (caller, world) => caller.patients.update({ id: world.patientId, clinical: { bloodType: "A+" } }),
      expect: {
        anonymous: "UNAUTHORIZED",
        owner: "ok",
        otherSameRole: "NOT_FOUND",
        doctor: "NOT_FOUND",
        staff: "FORBIDDEN",
        admin: "ok",
      },
    },
    {
      procedure: "patients.delete",
      call: (caller, world) => caller.patients.delete({ id: world.patientId }),
      expect: {
        anonymous: "UNAUTHORIZED",
        owner: "FORBIDDEN",
        otherSameRole: "FORBIDDEN",
        doctor: "FORBIDDEN",
        staff: "FORBIDDEN",
        admin: "ok",
      },
    },
    {
      procedure: "patients.delete",
      name: "an id that does not exist",
      call: (caller) => caller.patients.delete({ id: crypto.randomUUID() }),
      expect: {
        anonymous: "UNAUTHORIZED",
        owner: "FORBIDDEN",
        otherSameRole: "FORBIDDEN",
        doctor: "FORBIDDEN",
        staff: "FORBIDDEN",
        admin: "NOT_FOUND",
      },
    },
  ],
});
