import { auditEvents, notifications } from "@medical/db/schema";
import { and, desc, eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { thrownFacts } from "#testing/caller.ts";
import { makeNotification } from "#testing/factories/notifications.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { makeUser } from "#testing/factories/users.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { createMemoryMailer } from "#testing/memory-mailer.ts";
import { signIn, signInAs } from "#testing/sign-in.ts";
import { catchUpNotifications } from "./consumer.ts";
import { readNotificationsAfter } from "./inbox.service.ts";

const mailer = createMemoryMailer();
const file = useFileDeps({ mailer });

/** A signed-in patient whose inbox holds, oldest first: SYSTEM, APPOINTMENT (read), BILLING, APPOINTMENT. */
async function inbox() {
  const { user } = await makePatient(file.db);
  const { caller } = await signIn(file.deps, user);
  const rows = [
    await makeNotification(file.db, { userId: user.id }),
    await makeNotification(file.db, { userId: user.id, type: "APPOINTMENT", readAt: new Date() }),
    await makeNotification(file.db, { userId: user.id, type: "BILLING" }),
    await makeNotification(file.db, { userId: user.id, type: "APPOINTMENT" }),
  ];
  return { user, caller, ids: rows.map((row) => row.id) };
}

/** What a call's refusal says: its app code, or "ok". */
const outcome = (call: Promise<unknown>) =>
  call.then(
    () => "ok",
    (error: unknown) => thrownFacts(error).appCode,
  );

describe("GET /notifications", () => {
  test("newest first in keyset pages, with the unread count whatever the filters", async () => {
    const { caller, ids } = await inbox();
    const first = await caller.notifications.list({ limit: 3 });
    expect(first.items.map((item) => item.id)).toEqual([ids[3], ids[2], ids[1]]);
    expect(first.unreadCount).toBe(3);
    const second = await caller.notifications.list({ limit: 3, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((item) => item.id)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeNull();

    const unreadAppointments = await caller.notifications.list({ isRead: false, type: "APPOINTMENT" });
    expect(unreadAppointments.items.map((item) => item.id)).toEqual([ids[3]]);
    expect(unreadAppointments.unreadCount).toBe(3);
    const read = await caller.notifications.list({ isRead: true });
    expect(read.items.map((item) => [item.id, item.isRead])).toEqual([[ids[1], true]]);
    const ascending = await caller.notifications.list({ order: "asc" });
    expect(ascending.items.map((item) => item.position)).toEqual([1, 2, 3, 4]);
  });

  test("bad input is a 400, never a 500", async () => {
    const { caller } = await inbox();
    expect(await outcome(caller.notifications.list({ cursor: "not-a-cursor" }))).toBe("VALIDATION_FAILED");
    expect(await outcome(caller.notifications.list({ limit: 101 }))).toBe("VALIDATION_FAILED");
    // @ts-expect-error: not a type
    expect(await outcome(caller.notifications.list({ type: "MARKETING" }))).toBe("VALIDATION_FAILED");
    expect(await outcome(caller.notifications.markRead({ id: "42" }))).toBe("VALIDATION_FAILED");
  });
});

describe("read and delete", () => {
  test("marking read keeps the first read time; read-all marks the rest and says how many", async () => {
    const { caller, ids } = await inbox();
    const marked = await caller.notifications.markRead({ id: ids[0] ?? "" });
    expect(marked).toMatchObject({ id: ids[0], isRead: true });
    const again = await caller.notifications.markRead({ id: ids[0] ?? "" });
    expect(again.readAt).toEqual(marked.readAt);
    expect((await caller.notifications.list({})).unreadCount).toBe(2);
    expect(await caller.notifications.markAllRead()).toEqual({ marked: 2 });
    expect(await caller.notifications.markAllRead()).toEqual({ marked: 0 });
    expect((await caller.notifications.list({})).unreadCount).toBe(0);
  });

  test("a deleted notification is gone; deleting it again, or another user's, is NOT_FOUND", async () => {
    const { caller, ids } = await inbox();
    const other = await inbox();
    expect(await caller.notifications.delete({ id: ids[2] ?? "" })).toBeNull();
    expect((await caller.notifications.list({})).items.map((item) => item.id)).not.toContain(ids[2]);
    expect(await outcome(caller.notifications.delete({ id: ids[2] ?? "" }))).toBe("NOT_FOUND");
    expect(await outcome(caller.notifications.delete({ id: other.ids[0] ?? "" }))).toBe("NOT_FOUND");
    expect(await outcome(caller.notifications.markRead({ id: other.ids[0] ?? "" }))).toBe("NOT_FOUND");
    expect((await other.caller.notifications.list({})).items).toHaveLength(4);
  });

  test("what a client missed after a position, oldest first, the user's own only", async () => {
    const { user, ids } = await inbox();
    await inbox();
    const missed = await readNotificationsAfter(file.db, { userId: user.id, role: "PATIENT" }, 2, 10);
    expect(missed.map((item) => [item.id, item.position])).toEqual([
      [ids[2], 3],
      [ids[3], 4],
    ]);
  });
});

describe("preferences", () => {
  test("every channel is on by default; a change names what it changes and keeps the rest", async () => {
    const { caller } = await signInAs(file.deps, "DOCTOR");
    const defaults = await caller.notifications.preferences();
    expect(defaults).toEqual({
      APPOINTMENT: { inApp: true, email: true },
      CHAT: { inApp: true, email: true },
      BILLING: { inApp: true, email: true },
      RECORD: { inApp: true, email: true },
      SYSTEM: { inApp: true, email: true },
    });
    await caller.notifications.updatePreferences({ APPOINTMENT: { email: false } });
    const after = await caller.notifications.updatePreferences({
      APPOINTMENT: { inApp: false },
      CHAT: { email: false },
    });
    expect(after).toEqual({
      ...defaults,
      APPOINTMENT: { inApp: false, email: false },
      CHAT: { inApp: true, email: false },
    });
    expect(await caller.notifications.preferences()).toEqual(after);
    expect(await caller.notifications.updatePreferences({ APPOINTMENT: { inApp: true } })).toMatchObject({
      APPOINTMENT: { inApp: true, email: false },
    });
  });

  test("an empty change, an unknown type or channel is a 400", async () => {
    const { caller } = await signInAs(file.deps, "PATIENT");
    expect(await outcome(caller.notifications.updatePreferences({}))).toBe("VALIDATION_FAILED");
    expect(await outcome(caller.notifications.updatePreferences({ BILLING: {} }))).toBe("VALIDATION_FAILED");
    // @ts-expect-error: not a type
    expect(await outcome(caller.notifications.updatePreferences({ MARKETING: { email: false } }))).toBe(
      "VALIDATION_FAILED",
    );
    // @ts-expect-error: not a channel
    expect(await outcome(caller.notifications.updatePreferences({ BILLING: { sms: false } }))).toBe(
      "VALIDATION_FAILED",
    );
  });
});

describe("POST /notifications (ADMIN)", () => {
  test("an announcement to one account reaches it in the app and by mail, verbatim, audited", async () => {
    const admin = await signInAs(file.deps, "ADMIN");
    const { user, caller } = await signInAs(file.deps, "STAFF");
    const sent = await admin.caller.notifications.send({
      userId: user.id,
      title: "  Réunion d'équipe ",
      body: "Réunion du personnel lundi à 8 h.",
    });
    expect(sent).toMatchObject({ userId: user.id, role: null, title: "Réunion d'équipe" });
    await catchUpNotifications(file.deps);
    const [notification] = (await caller.notifications.list({ type: "SYSTEM" })).items.filter(
      (item) => item.data.announcementId === sent.id,
    );
    expect(notification).toMatchObject({
      title: "Réunion d'équipe",
      body: "Réunion du personnel lundi à 8 h.",
    });
    const mail = await mailer.next(
      (message) => message.to === user.email && message.subject === "Réunion d'équipe",
    );
    expect(mail.text).toContain("Réunion du personnel lundi à 8 h.");
    const [event] = await file.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "notification.announced"), eq(auditEvents.targetId, sent.id)));
    expect(event).toMatchObject({
      actorId: admin.user.id,
      outcome: "SUCCESS",
      details: { audience: "user" },
    });
  });

  test("an announcement to a role reaches its active accounts only", async () => {
    const admin = await signInAs(file.deps, "ADMIN");
    const active = await makeUser(file.db, { role: "STAFF" });
    const inactive = await makeUser(file.db, { role: "STAFF", isActive: false });
    const patient = await makeUser(file.db, { role: "PATIENT" });
    const sent = await admin.caller.notifications.send({
      role: "STAFF",
      title: "Inventaire",
      body: "Inventaire jeudi.",
    });
    await catchUpNotifications(file.deps);
    const reached = async (userId: string) =>
      (
        await file.db
          .select({ id: notifications.id })
          .from(notifications)
          .where(and(eq(notifications.userId, userId), eq(notifications.type, "SYSTEM")))
          .orderBy(desc(notifications.position))
      ).length;
    expect(sent.role).toBe("STAFF");
    expect(await reached(active.id)).toBe(1);
    expect(await reached(inactive.id)).toBe(0);
    expect(await reached(patient.id)).toBe(0);
  });

  test("an audience of both or neither, an unknown account, an overlong title: refused", async () => {
    const admin = await signInAs(file.deps, "ADMIN");
    const base = { title: "Annonce", body: "Texte." };
    const { user } = await makePatient(file.db);
    expect(await outcome(admin.caller.notifications.send(base))).toBe("VALIDATION_FAILED");
    expect(
      await outcome(admin.caller.notifications.send({ ...base, userId: user.id, role: "PATIENT" })),
    ).toBe("VALIDATION_FAILED");
    expect(
      await outcome(admin.caller.notifications.send({ ...base, role: "PATIENT", title: "x".repeat(121) })),
    ).toBe("VALIDATION_FAILED");
    expect(await outcome(admin.caller.notifications.send({ ...base, role: "PATIENT", body: " " }))).toBe(
      "VALIDATION_FAILED",
    );
    expect(
      await outcome(
        admin.caller.notifications.send({ ...base, userId: "6f4b8e1d-3c7a-4f2e-9a5b-1d8c6e2f4a37" }),
      ),
    ).toBe("NOT_FOUND");
  });
});

describe("the account's time zone", () => {
  test("defaults to Africa/Algiers; the owner changes it to an IANA zone, never a bare offset", async () => {
    const { caller } = await signInAs(file.deps, "PATIENT");
    expect((await caller.users.me()).timezone).toBe("Africa/Algiers");
    expect((await caller.users.updateMe({ timezone: "europe/paris" })).timezone).toBe("Europe/Paris");
    expect((await caller.users.me()).timezone).toBe("Europe/Paris");
    expect(await outcome(caller.users.updateMe({ timezone: "+01:00" }))).toBe("VALIDATION_FAILED");
    expect(await outcome(caller.users.updateMe({ timezone: "Mars/Olympus_Mons" }))).toBe("VALIDATION_FAILED");
  });
});

describe("the patient data export", () => {
  test("holds the patient's own notifications, oldest first", async () => {
    const { user } = await makePatient(file.db);
    const { caller } = await signIn(file.deps, user);
    await inbox();
    const first = await makeNotification(file.db, {
      userId: user.id,
      type: "BILLING",
      title: "Nouvelle facture",
    });
    const second = await makeNotification(file.db, { userId: user.id });
    const document = await caller.patients.exportMe();
    expect(document.notifications.map((item) => item.id)).toEqual([first.id, second.id]);
    expect(document.notifications[0]).toMatchObject({
      type: "BILLING",
      title: "Nouvelle facture",
      isRead: false,
    });
  });
});
