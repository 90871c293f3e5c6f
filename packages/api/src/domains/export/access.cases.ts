import { randomUUID } from "node:crypto";
import {
  anonymous,
  doctorWithAppointment,
  newAccount,
  newDoctor,
  newPatient,
} from "#testing/access-callers.ts";
import { defineAccessTable } from "#testing/access-table.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { signIn } from "#testing/sign-in.ts";

/** A case's own verdict on an answer that succeeded but was not the owner's file. */
function withheld(what: string): Error {
  return Object.assign(new Error(what), { code: "NOT_FOUND" });
}

/**
 * The owner is a PATIENT with a profile (clinical fields included) and an appointment with a
 * treating doctor. `/patients/me/export` is each patient's own file: another patient gets theirs,
 * never the owner's; a patient account without a profile has none (NOT_FOUND). Only ADMIN exports
 * by id — not even the owner (their route is `/me`), a treating doctor or STAFF.
 */
export const accessTable = defineAccessTable({
  domain: "export",
  async world(deps) {
    const { patient, user } = await makePatient(deps.db, {
      clinical: { cipher: deps.fieldCipher, data: { allergies: ["Pénicilline"] } },
    });
    return { owner: user, patientId: patient.id };
  },
  callers: {
    anonymous,
    owner: async (deps, world) => (await signIn(deps, world.owner)).caller,
    otherPatient: newPatient,
    patientWithoutProfile: newAccount("PATIENT"),
    doctor: newDoctor,
    treatingDoctor: doctorWithAppointment("SCHEDULED"),
    staff: newAccount("STAFF"),
    admin: newAccount("ADMIN"),
  },
  cases: [
    {
      procedure: "patients.exportMe",
      name: "the caller's export is the owner's file (NOT_FOUND: it is not)",
      async call(caller, world) {
        const document = await caller.patients.exportMe();
        if (document.patient.id !== world.patientId) throw withheld("another patient's file");
      },
      expect: { owner: "ok", otherPatient: "NOT_FOUND", patientWithoutProfile: "NOT_FOUND" },
    },
    {
      procedure: "patients.export",
      name: "the owner's file by id",
      async call(caller, world) {
        const document = await caller.patients.export({ id: world.patientId });
        if (document.patient.clinical.allergies[0] !== "Pénicilline") throw withheld("no clinical fields");
      },
      expect: { admin: "ok" },
    },
    {
      procedure: "patients.export",
      name: "an id no patient has",
      call: (caller) => caller.patients.export({ id: randomUUID() }),
      expect: { admin: "NOT_FOUND" },
    },
  ],
});
