import { defineAccessTable } from "#testing/access-table.ts";
import { callerFor } from "#testing/caller.ts";
import { signInAs } from "#testing/sign-in.ts";

/** The trail is ADMIN's alone: no row of it belongs to anyone else, so there is no owner. */
export const accessTable = defineAccessTable({
  domain: "audit",
  world: async () => ({}),
  callers: {
    anonymous: async (deps) => callerFor(deps),
    patient: async (deps) => (await signInAs(deps, "PATIENT")).caller,
    doctor: async (deps) => (await signInAs(deps, "DOCTOR")).caller,
    staff: async (deps) => (await signInAs(deps, "STAFF")).caller,
    admin: async (deps) => (await signInAs(deps, "ADMIN")).caller,
  },
  cases: [
    {
      procedure: "audit.list",
      call: (caller) => caller.audit.list({ limit: 10 }),
      expect: {
        anonymous: "UNAUTHORIZED",
        patient: "FORBIDDEN",
        doctor: "FORBIDDEN",
        staff: "FORBIDDEN",
        admin: "ok",
      },
    },
  ],
});
