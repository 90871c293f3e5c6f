import type { User } from "@medical/db/schema";
import type { Deps } from "#platform/deps.ts";
import { anonymous, type KnowsAccounts, newAccount, remembered } from "#testing/access-callers.ts";
import { defineAccessTable } from "#testing/access-table.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { signIn } from "#testing/sign-in.ts";
import { createFeed, readFeed } from "./calendar.service.ts";

interface World extends KnowsAccounts {
  deps: Deps;
  owner: User;
  /** The owner's feed token, made before the case runs. */
  ownerToken: string;
}

const tokenOf = (url: string) => url.slice(url.lastIndexOf("/") + 1, -".ics".length);

/** Throws unless the owner's feed still answers exactly when `caller` is someone else. */
async function ownerFeedKept(world: World, callerIsOwner: boolean): Promise<void> {
  const answered = await readFeed(world.deps, world.ownerToken, "203.0.113.9").then(
    () => true,
    () => false,
  );
  if (answered === callerIsOwner) throw new Error("another caller's feed address changed");
}

/**
 * The owner is a PATIENT with a profile and a feed; the other patient and the doctor have
 * profiles and no feed. Each case checks that a caller's feed call touched their own address only.
 */
export const accessTable = defineAccessTable({
  domain: "calendar",
  async world(deps): Promise<World> {
    const { user: owner } = await makePatient(deps.db);
    const audit = { actor: null, requestId: "access-table", origin: { ip: null, userAgent: null } };
    const { url } = await createFeed(deps, audit, { userId: owner.id });
    return { deps, owner, ownerToken: tokenOf(url), accountOf: new Map() };
  },
  callers: {
    anonymous,
    owner: remembered((deps, world) => signIn(deps, world.owner)),
    otherSameRole: remembered(async (deps) => signIn(deps, (await makePatient(deps.db)).user)),
    doctor: remembered(async (deps) => signIn(deps, (await makeDoctor(deps.db)).user)),
    staff: newAccount("STAFF"),
    admin: newAccount("ADMIN"),
  },
  cases: [
    {
      procedure: "calendar.createFeed",
      name: "rotates the caller's own address only",
      async call(caller, world) {
        const { url } = await caller.calendar.createFeed();
        await readFeed(world.deps, tokenOf(url), "203.0.113.9");
        await ownerFeedKept(world, world.accountOf.get(caller)?.id === world.owner.id);
      },
      expect: { owner: "ok", otherSameRole: "ok", doctor: "ok" },
    },
    {
      procedure: "calendar.revokeFeed",
      name: "revokes the caller's own address only",
      async call(caller, world) {
        await caller.calendar.revokeFeed();
        await ownerFeedKept(world, world.accountOf.get(caller)?.id === world.owner.id);
      },
      expect: { owner: "ok", otherSameRole: "ok", doctor: "ok", staff: "ok", admin: "ok" },
    },
  ],
});
