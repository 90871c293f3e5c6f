import { anonymous, newAccount, newDoctor, newPatient } from "#testing/access-callers.ts";
import { defineAccessTable } from "#testing/access-table.ts";

/** A ticket is for the caller's own session: every signed-in caller gets one, nobody else. */
export const accessTable = defineAccessTable({
  domain: "realtime",
  world: async () => ({}),
  callers: {
    anonymous,
    patient: newPatient,
    doctor: newDoctor,
    staff: newAccount("STAFF"),
    admin: newAccount("ADMIN"),
  },
  cases: [
    {
      procedure: "realtime.ticket",
      call: (caller) => caller.realtime.ticket(),
      expect: { patient: "ok", doctor: "ok", staff: "ok", admin: "ok" },
    },
  ],
});
