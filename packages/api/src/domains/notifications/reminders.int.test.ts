import { randomUUID } from "node:crypto";
import {
  type Appointment,
  appointments,
  domainEvents,
  notificationEmails,
  notifications,
  reminderJobs,
  type User,
} from "@medical/db/schema";
import { and, asc, eq, sql } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { auditedTransaction } from "#platform/audit/audit.ts";
import type { Clock } from "#platform/deps.ts";
import type { EventName } from "#platform/events/event-bus.ts";
import { makeTestDeps } from "#testing/deps.ts";
import { makeAppointment } from "#testing/factories/appointments.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { catchUpNotifications } from "./consumer.ts";
import {
  claimDueReminders,
  completeReminder,
  MAX_REMINDER_ATTEMPTS,
  reminderDueAt,
  sendDueReminders,
  startReminderWorker,
} from "./reminders.ts";

/** The injected clock every worker of this file reads: tests move it, nothing sleeps. */
let now = new Date("2031-03-01T08:00:00Z");
const clock: Clock = { now: () => now };
const file = useFileDeps({ clock });
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const at = (iso: string) => new Date(iso);

/** A SCHEDULED appointment whose booking the consumer has seen; its patient reads English in Algiers (UTC+1). */
async function booked(startsAt: Date, timeZone = "Africa/Algiers") {
  const doctor = await makeDoctor(file.db, { user: { lastName: "Benali" } });
  const { patient, user } = await makePatient(file.db, { user: { locale: "en", timezone: timeZone } });
  const appointment = await makeAppointment(file.db, {
    doctorId: doctor.doctor.id,
    patientId: patient.id,
    startsAt,
    reason: "Douleur thoracique",
  });
  await emit("appointment.booked", appointment, user);
  await catchUpNotifications(file.deps);
  return { appointment, patientUser: user, doctorUser: doctor.user };
}

async function emit(
  type: Extract<EventName, "appointment.booked" | "appointment.rescheduled" | "appointment.cancelled">,
  appointment: Appointment,
  actor: User,
) {
  const meta = {
    actor: { userId: actor.id, role: actor.role },
    requestId: randomUUID(),
    origin: { ip: null, userAgent: null },
  };
  await auditedTransaction(file.deps, meta, async (_tx, record) =>
    record.emit(type, {
      v: 1,
      appointmentId: appointment.id,
      doctorId: appointment.doctorId,
      patientId: appointment.patientId,
      actorId: actor.id,
    }),
  );
}

function jobsOf(appointmentId: string) {
  return file.db
    .select()
    .from(reminderJobs)
    .where(eq(reminderJobs.appointmentId, appointmentId))
    .orderBy(asc(reminderJobs.dueAt));
}

/** The reminders a user was told of (in-app), in position order. */
function remindersOf(userId: string) {
  return file.db
    .select({ title: notifications.title, body: notifications.body, data: notifications.data })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.title, "Appointment reminder")))
    .orderBy(asc(notifications.position));
}

/** Runs the worker at `instant`, then lets the consumer word what it sent. */
async function workAt(instant: Date, deps = file.deps): Promise<number> {
  now = instant;
  const sent = await sendDueReminders(deps);
  await catchUpNotifications(file.deps);
  return sent;
}

describe("when reminders go out", () => {
  test("24 h and 2 h before, once each, to the patient only, on their clock and without the reason", async () => {
    const startsAt = at("2031-03-10T10:00:00Z");
    const { appointment, patientUser, doctorUser } = await booked(startsAt);
    expect((await jobsOf(appointment.id)).map((job) => job.dueAt)).toEqual([
      at("2031-03-09T10:00:00Z"),
      at("2031-03-10T08:00:00Z"),
    ]);

    expect(await workAt(at("2031-03-09T09:59:00Z"))).toBe(0);
    expect(await workAt(at("2031-03-09T10:00:00Z"))).toBe(1);
    expect(await workAt(at("2031-03-09T10:01:00Z"))).toBe(0);
    const [first, ...rest] = await remindersOf(patientUser.id);
    expect(rest).toEqual([]);
    expect(first?.body).toBe("Reminder: your appointment with Dr Benali is on 10/03 at 11:00.");
    expect(first?.data).toEqual({ appointmentId: appointment.id });
    const mails = await file.db
      .select()
      .from(notificationEmails)
      .where(eq(notificationEmails.userId, patientUser.id));
    expect(mails.filter((mail) => mail.subject === "Appointment reminder")).toHaveLength(1);
    expect(JSON.stringify(mails)).not.toContain("thoracique");

    expect(await workAt(at("2031-03-10T08:00:00Z"))).toBe(1);
    expect(await remindersOf(patientUser.id)).toHaveLength(2);
    expect(await remindersOf(doctorUser.id)).toEqual([]);
    expect((await jobsOf(appointment.id)).map((job) => job.status)).toEqual(["DONE", "DONE"]);
  });

  test("a reminder due in the quiet hours goes out at 21:59 before them, on the patient's clock", async () => {
    // 08:00 in Algiers: the 2 h reminder would be 06:00, so it goes at 21:59 the evening before.
    const { appointment } = await booked(at("2031-03-12T07:00:00Z"));
    expect((await jobsOf(appointment.id)).map((job) => [job.offsetMinutes, job.dueAt])).toEqual([
      [24 * 60, at("2031-03-11T07:00:00Z")],
      [120, at("2031-03-11T20:59:00Z")],
    ]);
    // 23:30 in Tokyo falls after 22:00 the same evening; 13:00 is outside the quiet hours.
    expect(reminderDueAt(at("2031-03-12T16:30:00Z"), 120, "Asia/Tokyo")).toEqual(at("2031-03-12T12:59:00Z"));
    expect(reminderDueAt(at("2031-03-12T06:00:00Z"), 120, "Asia/Tokyo")).toEqual(at("2031-03-12T04:00:00Z"));
  });

  test("no reminder whose time had passed at booking: the booking's own notification covers it", async () => {
    // The booking happens now (the event's time): in a zone where the 2 h reminder falls near noon.
    const offset = 11 - new Date().getUTCHours();
    const zone = offset === 0 ? "Etc/GMT" : `Etc/GMT${offset > 0 ? "-" : "+"}${Math.abs(offset)}`;
    const { appointment } = await booked(new Date(Date.now() + 3 * HOUR_MS), zone);
    expect((await jobsOf(appointment.id)).map((job) => job.offsetMinutes)).toEqual([120]);
  });
});

describe("changes", () => {
  test("a cancelled appointment is never reminded, whether the consumer or the worker sees it first", async () => {
    const cancelledAt = at("2031-03-02T08:00:00Z");
    const seen = await booked(at("2031-04-10T10:00:00Z"));
    const unseen = await booked(at("2031-04-11T10:00:00Z"));
    for (const { appointment, patientUser } of [seen, unseen]) {
      await file.db
        .update(appointments)
        .set({ status: "CANCELLED", cancelledAt, cancelledBy: patientUser.id, cancelledByRole: "PATIENT" })
        .where(eq(appointments.id, appointment.id));
    }
    await emit("appointment.cancelled", seen.appointment, seen.patientUser);
    await catchUpNotifications(file.deps);
    expect((await jobsOf(seen.appointment.id)).map((job) => job.status)).toEqual(["CANCELLED", "CANCELLED"]);

    expect(await workAt(at("2031-04-11T09:59:00Z"))).toBe(0);
    expect(await remindersOf(seen.patientUser.id)).toEqual([]);
    expect(await remindersOf(unseen.patientUser.id)).toEqual([]);
    expect((await jobsOf(unseen.appointment.id)).map((job) => job.status)).toEqual([
      "CANCELLED",
      "CANCELLED",
    ]);
  });

  test("a moved appointment: the old reminders are not sent, new ones come for the new time", async () => {
    const { appointment, patientUser } = await booked(at("2031-05-10T10:00:00Z"));
    const movedTo = at("2031-05-12T14:00:00Z");
    const [moved] = await file.db
      .update(appointments)
      .set({ startsAt: movedTo, endsAt: new Date(movedTo.getTime() + 30 * MINUTE_MS) })
      .where(eq(appointments.id, appointment.id))
      .returning();
    if (!moved) throw new Error("no appointment");
    await emit("appointment.rescheduled", moved, patientUser);
    await catchUpNotifications(file.deps);
    expect((await jobsOf(appointment.id)).map((job) => [job.status, job.dueAt])).toEqual([
      ["CANCELLED", at("2031-05-09T10:00:00Z")],
      ["CANCELLED", at("2031-05-10T08:00:00Z")],
      ["PENDING", at("2031-05-11T14:00:00Z")],
      ["PENDING", at("2031-05-12T12:00:00Z")],
    ]);

    expect(await workAt(at("2031-05-10T08:00:00Z"))).toBe(0);
    expect(await workAt(at("2031-05-11T14:00:00Z"))).toBe(1);
    const [reminder] = await remindersOf(patientUser.id);
    expect(reminder?.body).toBe("Reminder: your appointment with Dr Benali is on 12/05 at 15:00.");
  });
});

describe("workers", () => {
  test("two workers at once send each reminder once", async () => {
    const booking = await Promise.all(
      Array.from({ length: 6 }, (_, i) => booked(at(`2031-06-10T09:0${i}:00Z`))),
    );
    now = at("2031-06-10T07:30:00Z");
    const [a, b] = [makeTestDeps(file.handle, { clock }), makeTestDeps(file.handle, { clock })];
    const sent = await Promise.all([
      sendDueReminders(a, { batchSize: 2 }),
      sendDueReminders(b, { batchSize: 2 }),
      sendDueReminders(a, { batchSize: 2 }),
    ]);
    expect(sent.reduce((sum, n) => sum + n, 0)).toBe(12);
    await catchUpNotifications(file.deps);
    for (const { patientUser } of booking) expect(await remindersOf(patientUser.id)).toHaveLength(2);
  });

  test("a worker that dies holding a job: another sends it once its lease runs out, and it is never sent twice", async () => {
    const { appointment, patientUser } = await booked(at("2031-07-10T10:00:00Z"));
    now = at("2031-07-09T10:00:00Z");
    const dying = makeTestDeps(file.handle, { clock });
    const [held] = await claimDueReminders(dying, { leaseMs: 5 * MINUTE_MS });
    expect(held?.appointmentId).toBe(appointment.id);

    const other = makeTestDeps(file.handle, { clock });
    expect(await workAt(at("2031-07-09T10:04:00Z"), other)).toBe(0);
    expect(await workAt(at("2031-07-09T10:05:00Z"), other)).toBe(1);
    if (!held) throw new Error("nothing claimed");
    expect(await completeReminder(dying, held)).toBe(false);
    await catchUpNotifications(file.deps);
    expect(await remindersOf(patientUser.id)).toHaveLength(1);
    const due = await file.db.select().from(domainEvents).where(eq(domainEvents.type, "reminder.due"));
    expect(due.filter((event) => JSON.stringify(event.payload).includes(appointment.id))).toHaveLength(1);
  });

  test("a job that keeps failing is retried after each lease, then FAILED; the others of its batch go out", async () => {
    const failing = await booked(at("2031-09-10T10:00:00Z"));
    const fine = await booked(at("2031-09-10T10:30:00Z"));
    const [doomed] = await jobsOf(failing.appointment.id);
    if (!doomed) throw new Error("no reminder job");
    // A fault of this one job's own (a database refusal), whatever the worker does.
    await file.db.execute(
      sql.raw(`create function refuse_reminder() returns trigger language plpgsql as $$
        begin raise exception 'refused'; end $$`),
    );
    await file.db.execute(
      sql.raw(`create trigger refuse_reminder before update of status on reminder_jobs for each row
        when (new.id = '${doomed.id}' and new.status = 'DONE') execute function refuse_reminder()`),
    );
    try {
      now = at("2031-09-09T10:30:00Z");
      expect(await workAt(now)).toBe(1);
      expect(await remindersOf(fine.patientUser.id)).toHaveLength(1);
      for (let attempt = 2; attempt <= MAX_REMINDER_ATTEMPTS + 1; attempt++)
        expect(await workAt(new Date(now.getTime() + 2 * MINUTE_MS))).toBe(0);
      const [after] = await jobsOf(failing.appointment.id);
      expect(after).toMatchObject({ status: "FAILED", attempts: MAX_REMINDER_ATTEMPTS });
      expect(await remindersOf(failing.patientUser.id)).toEqual([]);
    } finally {
      await file.db.execute(sql.raw("drop trigger refuse_reminder on reminder_jobs"));
      await file.db.execute(sql.raw("drop function refuse_reminder()"));
    }
  });

  test("a new worker over the same database carries on where the stopped one left off", async () => {
    const { patientUser } = await booked(at("2031-08-10T10:00:00Z"));
    now = at("2031-08-09T10:00:00Z");
    await startReminderWorker(makeTestDeps(file.handle, { clock })).stop();
    now = at("2031-08-10T08:00:00Z");
    await startReminderWorker(makeTestDeps(file.handle, { clock })).stop();
    await catchUpNotifications(file.deps);
    expect(await remindersOf(patientUser.id)).toHaveLength(2);
  });
});
