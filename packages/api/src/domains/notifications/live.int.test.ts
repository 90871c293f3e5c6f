import { describe, expect, test } from "vitest";
import { makeNotification } from "#testing/factories/notifications.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { signIn } from "#testing/sign-in.ts";
import { trackedIds } from "#testing/tracked.ts";

const file = useFileDeps();

describe("notifications.onEvent", () => {
  test("a backlog longer than one read arrives whole and in order, then a live one, each once", async () => {
    const { user } = await makePatient(file.db);
    const { caller } = await signIn(file.deps, user);
    const made = [];
    for (let i = 0; i < 130; i++) made.push(await makeNotification(file.db, { userId: user.id }));
    const events = (await caller.notifications.onEvent({ lastEventId: "0" }))[Symbol.asyncIterator]();
    try {
      const got = [];
      for (let i = 0; i < made.length; i++) got.push(trackedIds((await events.next()).value));
      expect(got).toEqual(made.map((row) => ({ eventId: String(row.position), id: row.id })));

      const live = await makeNotification(file.db, { userId: user.id });
      // A stale event (an older position) wakes nothing; the new one brings its row from the database.
      const created = { v: 1 as const, userId: user.id, notificationId: live.id };
      file.deps.events.publish("notification.created", { ...created, position: 1 });
      file.deps.events.publish("notification.created", { ...created, position: live.position });
      expect(trackedIds((await events.next()).value)).toEqual({
        eventId: String(live.position),
        id: live.id,
      });
    } finally {
      expect((await events.return?.())?.done).toBe(true);
    }
  });
});
