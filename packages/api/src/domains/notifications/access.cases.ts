import { notifications, type User } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import { anonymous, type KnowsAccounts, remembered } from "#testing/access-callers.ts";
import { defineAccessTable } from "#testing/access-table.ts";
import type { Caller } from "#testing/caller.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makeNotification } from "#testing/factories/notifications.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { signIn, signInAs } from "#testing/sign-in.ts";
import { trackedIds } from "#testing/tracked.ts";

/** Routes about the caller's own notifications: every signed-in caller, each on their own. */
const everyone = { owner: "ok", otherSameRole: "ok", doctor: "ok", staff: "ok", admin: "ok" } as const;
/** A route about the owner's notification by id: anyone else, ADMIN included, does not find it. */
const ownerOnly = {
  owner: "ok",
  otherSameRole: "NOT_FOUND",
  doctor: "NOT_FOUND",
  staff: "NOT_FOUND",
  admin: "NOT_FOUND",
} as const;

interface World extends KnowsAccounts {
  owner: User;
  notificationId: string;
  /** The owner's notification as stored, or undefined once deleted. */
  stored(): Promise<{ readAt: Date | null } | undefined>;
  /** A new notification for `userId`, last in their inbox: where a read of their backlog can stop. */
  mark(userId: string): Promise<string>;
}

const isOwner = (world: World, caller: Caller) => world.accountOf.get(caller)?.id === world.owner.id;

/**
 * The owner is a patient with one unread notification. Nobody but the owner lists, reads, marks or
 * deletes it — an ADMIN neither (notifications say who sees which doctor); only an ADMIN sends an
 * announcement.
 */
export const accessTable = defineAccessTable({
  domain: "notifications",
  async world(deps): Promise<World> {
    const { user: owner } = await makePatient(deps.db);
    const notification = await makeNotification(deps.db, { userId: owner.id });
    const stored = async () => {
      const [row] = await deps.db
        .select({ readAt: notifications.readAt })
        .from(notifications)
        .where(eq(notifications.id, notification.id));
      return row;
    };
    const mark = async (userId: string) => (await makeNotification(deps.db, { userId })).id;
    return { owner, notificationId: notification.id, stored, mark, accountOf: new Map() };
  },
  callers: {
    anonymous,
    owner: remembered((deps, world) => signIn(deps, world.owner)),
    otherSameRole: remembered(async (deps) => signIn(deps, (await makePatient(deps.db)).user)),
    doctor: remembered(async (deps) => signIn(deps, (await makeDoctor(deps.db)).user)),
    staff: remembered((deps) => signInAs(deps, "STAFF")),
    admin: remembered((deps) => signInAs(deps, "ADMIN")),
  },
  cases: [
    {
      procedure: "notifications.list",
      name: "lists the caller's own notifications only",
      async call(caller, world) {
        const page = await caller.notifications.list({});
        const mine = page.items.some((item) => item.id === world.notificationId);
        if (mine !== isOwner(world, caller))
          throw new Error("GET /notifications listed another user's notification");
      },
      expect: everyone,
    },
    {
      procedure: "notifications.onEvent",
      name: "streams the caller's own notifications only",
      async call(caller, world) {
        const account = world.accountOf.get(caller);
        const last = account ? await world.mark(account.id) : undefined;
        const events = (await caller.notifications.onEvent({ lastEventId: "0" }))[Symbol.asyncIterator]();
        try {
          // The whole backlog, up to the mark made just before: nothing waits for a live event.
          let sawOwners = false;
          for (let next = await events.next(); !next.done; next = await events.next()) {
            const { id } = trackedIds(next.value);
            if (id === world.notificationId) sawOwners = true;
            if (id === last) break;
          }
          if (sawOwners !== isOwner(world, caller))
            throw new Error("notifications.onEvent streamed another user's notification");
        } finally {
          await events.return?.();
        }
      },
      expect: everyone,
    },
    {
      procedure: "notifications.preferences",
      call: (caller) => caller.notifications.preferences(),
      expect: everyone,
    },
    {
      procedure: "notifications.updatePreferences",
      call: (caller) => caller.notifications.updatePreferences({ CHAT: { email: false } }),
      expect: everyone,
    },
    {
      procedure: "notifications.markAllRead",
      name: "marks the caller's own notifications only",
      async call(caller, world) {
        await caller.notifications.markAllRead();
        if (((await world.stored())?.readAt != null) !== isOwner(world, caller))
          throw new Error("PATCH /notifications/read-all marked another user's notification");
      },
      expect: everyone,
    },
    {
      procedure: "notifications.markRead",
      call: (caller, world) => caller.notifications.markRead({ id: world.notificationId }),
      expect: ownerOnly,
    },
    {
      procedure: "notifications.delete",
      name: "deletes the caller's own notification only",
      async call(caller, world) {
        const outcome = await caller.notifications.delete({ id: world.notificationId }).then(
          () => undefined,
          (error: unknown) => error,
        );
        if (((await world.stored()) === undefined) !== (outcome === undefined))
          throw new Error("DELETE /notifications/{id} answered one thing and did another");
        if (outcome !== undefined) throw outcome;
      },
      expect: ownerOnly,
    },
    {
      procedure: "notifications.send",
      call: (caller, world) =>
        caller.notifications.send({ userId: world.owner.id, title: "Annonce", body: "Fermeture vendredi." }),
      expect: { admin: "ok" },
    },
  ],
});
