import type { User } from "@medical/db/schema";
import { anonymous, type KnowsAccounts, remembered } from "#testing/access-callers.ts";
import { defineAccessTable } from "#testing/access-table.ts";
import type { Caller } from "#testing/caller.ts";
import { makeUser, TEST_PASSWORD } from "#testing/factories/users.ts";
import { signIn, signInAs } from "#testing/sign-in.ts";

/**
 * The owner is a PATIENT account; the bystander another account signed in on its own, whose
 * session must survive whatever the callers do to theirs. "Me" routes must answer the caller's
 * own row: `accountOf` knows whose session each caller holds.
 */
interface World extends KnowsAccounts {
  owner: User;
  bystander: Caller;
}

/** The caller's own account, or an assertion error naming the route that answered another one. */
function expectOwnRow(world: World, caller: Caller, id: string, route: string): void {
  if (world.accountOf.get(caller)?.id !== id) throw new Error(`${route} answered another account's row`);
}

const everyoneSignedIn = {
  owner: "ok",
  otherSameRole: "ok",
  doctor: "ok",
  staff: "ok",
  admin: "ok",
} as const;

export const accessTable = defineAccessTable({
  domain: "identity",
  async world(deps): Promise<World> {
    const owner = await makeUser(deps.db, { role: "PATIENT" });
    const { caller: bystander } = await signInAs(deps, "PATIENT");
    return { owner, bystander, accountOf: new Map() };
  },
  callers: {
    anonymous,
    owner: remembered((deps, world) => signIn(deps, world.owner)),
    otherSameRole: remembered((deps) => signInAs(deps, "PATIENT")),
    doctor: remembered((deps) => signInAs(deps, "DOCTOR")),
    staff: remembered((deps) => signInAs(deps, "STAFF")),
    admin: remembered((deps) => signInAs(deps, "ADMIN")),
  },
  cases: [
    {
      procedure: "auth.logoutAll",
      name: "ends the caller's sessions and nobody else's",
      async call(caller, world) {
        await caller.auth.logoutAll();
        const after = await caller.users.me().then(
          () => "still signed in",
          () => "ended",
        );
        if (after !== "ended") throw new Error("logout-all left the caller's session open");
        await world.bystander.users.me();
      },
      expect: everyoneSignedIn,
    },
    {
      procedure: "auth.onSessionEvent",
      async call(caller) {
        const events = await caller.auth.onSessionEvent();
        // Subscribed: close the stream again before it waits for an event.
        await events[Symbol.asyncIterator]().return?.();
      },
      expect: everyoneSignedIn,
    },
    {
      procedure: "users.me",
      async call(caller, world) {
        const me = await caller.users.me();
        expectOwnRow(world, caller, me.id, "GET /users/me");
      },
      expect: everyoneSignedIn,
    },
    {
      procedure: "users.updateMe",
      async call(caller, world) {
        const me = await caller.users.updateMe({ firstName: "Lina" });
        expectOwnRow(world, caller, me.id, "PATCH /users/me");
        if (me.firstName !== "Lina") throw new Error("PATCH /users/me did not change the name");
      },
      expect: everyoneSignedIn,
    },
    {
      procedure: "users.changePassword",
      name: "changes the caller's password, and other sessions of other accounts stay",
      async call(caller, world) {
        await caller.users.changePassword({
          currentPassword: TEST_PASSWORD,
          newPassword: "a new long password",
        });
        await world.bystander.users.me();
      },
      expect: everyoneSignedIn,
    },
    {
      procedure: "users.list",
      async call(caller, world) {
        const page = await caller.users.list({ q: world.owner.lastName, limit: 10 });
        if (!page.items.some((user) => user.id === world.owner.id))
          throw new Error("the owner is not listed");
      },
      expect: { admin: "ok" },
    },
    {
      procedure: "users.create",
      call: (caller) =>
        caller.users.create({
          email: `invited.${crypto.randomUUID()}@example.dz`,
          firstName: "Nadia",
          lastName: "Mansouri",
          role: "STAFF",
        }),
      expect: { admin: "ok" },
    },
    {
      procedure: "users.get",
      name: "the owner's account",
      async call(caller, world) {
        const user = await caller.users.get({ id: world.owner.id });
        if (user.id !== world.owner.id) throw new Error("GET /users/{id} answered another account");
      },
      expect: { admin: "ok" },
    },
    {
      procedure: "users.get",
      name: "an unknown id",
      call: (caller) => caller.users.get({ id: crypto.randomUUID() }),
      expect: { admin: "NOT_FOUND" },
    },
    {
      procedure: "users.update",
      call: (caller, world) => caller.users.update({ id: world.owner.id, firstName: "Amel" }),
      expect: { admin: "ok" },
    },
    {
      procedure: "users.delete",
      call: (caller, world) => caller.users.delete({ id: world.owner.id }),
      expect: { admin: "ok" },
    },
  ],
});
