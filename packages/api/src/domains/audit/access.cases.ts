import { anonymous, doctorWithAppointment, newAccount, newPatient } from "#testing/access-callers.ts";
import { defineAccessTable } from "#testing/access-table.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { signIn } from "#testing/sign-in.ts";

/** A case's own verdict on an answer that succeeded but withheld something. */
function withheld(what: string): Error {
  return Object.assign(new Error(what), { code: "NOT_FOUND" });
}

/**
 * The trail and its check are ADMIN's alone. The access log is the owner's: a PATIENT whose file
 * was read by a treating doctor; another patient (with a profile of their own) must not see that
 * read in their log, and no other role reads a log at all — not even the treating doctor or ADMIN.
 */
export const accessTable = defineAccessTable({
  domain: "audit",
  async world(deps) {
    const { patient, user } = await makePatient(deps.db);
    const treating = await doctorWithAppointment("SCHEDULED")(deps, { patientId: patient.id });
    await treating.patients.get({ id: patient.id });
    return { owner: user, patientId: patient.id };
  },
  callers: {
    anonymous,
    owner: async (deps, world) => (await signIn(deps, world.owner)).caller,
    otherPatient: newPatient,
    doctor: newAccount("DOCTOR"),
    treatingDoctor: doctorWithAppointment("SCHEDULED"),
    staff: newAccount("STAFF"),
    admin: newAccount("ADMIN"),
  },
  cases: [
    {
      procedure: "audit.list",
      call: (caller) => caller.audit.list({ limit: 10 }),
      expect: { admin: "ok" },
    },
    {
      procedure: "audit.verify",
      call: (caller) => caller.audit.verify({}),
      expect: { admin: "ok" },
    },
    {
      procedure: "patients.accessLog",
      name: "the treating doctor's read of the owner's file is in the caller's log (NOT_FOUND: it is not)",
      async call(caller) {
        const page = await caller.patients.accessLog({ limit: 100, includeOwn: false });
        if (
          !page.items.some((item) => item.action === "patient.clinical.read" && item.actor.role === "DOCTOR")
        )
          throw withheld("the doctor's read is not in the log");
      },
      expect: { owner: "ok", otherPatient: "NOT_FOUND" },
    },
  ],
});
