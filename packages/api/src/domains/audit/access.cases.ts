import { anonymous, newAccount } from "#testing/access-callers.ts";
import { defineAccessTable } from "#testing/access-table.ts";

/** The trail is ADMIN's alone: no row of it belongs to anyone else, so there is no owner. */
export const accessTable = defineAccessTable({
  domain: "audit",
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
      procedure: "audit.list",
      call: (caller) => caller.audit.list({ limit: 10 }),
      expect: { admin: "ok" },
    },
  ],
});
