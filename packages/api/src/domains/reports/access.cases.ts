import { anonymous, newAccount } from "#testing/access-callers.ts";
import { defineAccessTable } from "#testing/access-table.ts";

/** Reports are ADMIN's alone: aggregates of everyone, no row of anyone's. */
export const accessTable = defineAccessTable({
  domain: "reports",
  world: async () => ({}),
  callers: {
    anonymous,
    patient: newAccount("PATIENT"),
    doctor: newAccount("DOCTOR"),
    staff: newAccount("STAFF"),
    admin: newAccount("ADMIN"),
  },
  cases: [
    {
      procedure: "reports.summary",
      call: (caller) => caller.reports.summary({}),
      expect: { admin: "ok" },
    },
  ],
});
