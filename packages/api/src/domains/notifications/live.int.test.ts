import type { Notification, User } from "@medical/db/schema";
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
      const created = { userId: user.id, notificationId: live.id };
      file.deps.events.publish("notifications.created", { v: 1, items: [{ ...created, position: 1 }] });
      file.deps.events.publish("notifications.created", {
        v: 1,
        items: [{ ...created, position: live.position }],
      });
      expect(trackedIds((await events.next()).value)).toEqual({
        eventId: String(live.position),
        id: live.id,
      });
    } finally {
      expect((await events.return?.())?.done).toBe(true);
    }
  });
});

/**
 * `notifications.onEvent` of `user`, live: its first event (`warmUp`, read from the database) has
 * arrived, so what follows can only come through the process's shared listener.
 */
async function liveStreamOf(user: User, warmUp: Notification) {
  const { caller } = await signIn(file.deps, user);
  const events = (await caller.notifications.onEvent({ lastEventId: String(warmUp.position - 1) }))[
    Symbol.asyncIterator
  ]();
  const next = async () => trackedIds((await events.next()).value);
  expect(await next()).toEqual(idsOf(warmUp));
  return { next, stop: () => events.return?.() };
}

const idsOf = (row: Notification) => ({ eventId: String(row.position), id: row.id });

/** What the consumer publishes for rows it committed. */
function announce(items: { id: string; userId: string; position: number }[]) {
  file.deps.events.publish("notifications.created", {
    v: 1,
    items: items.map((item) => ({ userId: item.userId, notificationId: item.id, position: item.position })),
  });
}

describe("the process's live streams", () => {
  test("share one event: each account's streams get that account's rows, once, in order", async () => {
    const [a, b] = [(await makePatient(file.db)).user, (await makePatient(file.db)).user];
    const [warmA, warmB] = [
      await makeNotification(file.db, { userId: a.id }),
      await makeNotification(file.db, { userId: b.id }),
    ];
    const streams = [
      await liveStreamOf(a, warmA),
      await liveStreamOf(a, warmA),
      await liveStreamOf(b, warmB),
    ];
    try {
      const rows = [
        await makeNotification(file.db, { userId: a.id }),
        await makeNotification(file.db, { userId: b.id }),
        await makeNotification(file.db, { userId: a.id }),
      ];
      announce(rows);
      const [first, second, third] = rows.map(idsOf);
      for (const stream of streams.slice(0, 2))
        expect([await stream.next(), await stream.next()]).toEqual([first, third]);
      expect(await streams[2]?.next()).toEqual(second);
    } finally {
      for (const stream of streams) await stream.stop();
    }
  });

  test("a gap in what is announced is read from the database; another account's row is never handed over", async () => {
    const [a, b] = [(await makePatient(file.db)).user, (await makePatient(file.db)).user];
    const stream = await liveStreamOf(a, await makeNotification(file.db, { userId: a.id }));
    try {
      await makeNotification(file.db, { userId: b.id });
      // b's second row has the position a's stream takes next: rows go to their own recipient only.
      const theirs = await makeNotification(file.db, { userId: b.id });
      const missed = await makeNotification(file.db, { userId: a.id });
      const later = await makeNotification(file.db, { userId: a.id });
      expect(theirs.position).toBe(missed.position);
      announce([{ ...theirs, userId: a.id }]);
      announce([later]);
      expect([await stream.next(), await stream.next()]).toEqual([missed, later].map(idsOf));
    } finally {
      await stream.stop();
    }
  });
});
