import { appointments, auditEvents, domainEvents } from "@medical/db/schema";
import { and, eq } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { describe, expect, test } from "vitest";
import { localDateIn } from "#domains/availability/public.ts";
import { makeRule } from "#testing/factories/availability.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { doctorWithHours, signedInPatient, wallClockInstant } from "#testing/scheduling.ts";
import { signIn, signInAs } from "#testing/sign-in.ts";

const file = useFileDeps();

const conflict = (appCode: string) => ({ code: "CONFLICT", cause: { code: appCode } });
const notFound = { code: "NOT_FOUND" };

async function booked(days = 2, time = "09:00") {
  const fixture = await doctorWithHours(file.deps);
  const patient = await signedInPatient(file.deps);
  const dto = await patient.caller.appointments.book({
    doctorId: fixture.doctor.id,
    startsAt: fixture.iso(days, time),
    reason: "Palpitations",
  });
  return { fixture, patient, dto };
}

const auditsOf = (targetId: string, action: string) =>
  file.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.targetId, targetId), eq(auditEvents.action, action)));

describe("one appointment", () => {
  test("its patient, its doctor, STAFF and ADMIN read it with its reason; every read is audited", async () => {
    const { fixture, patient, dto } = await booked();
    const staff = await signInAs(file.deps, "STAFF");
    const admin = await signInAs(file.deps, "ADMIN");
    for (const caller of [patient.caller, fixture.caller, staff.caller, admin.caller]) {
      await expect(caller.appointments.get({ id: dto.id })).resolves.toEqual({ ...dto, history: [] });
    }
    const reads = await auditsOf(dto.id, "appointment.read");
    expect(reads).toHaveLength(4);
    expect(reads.every((read) => read.outcome === "SUCCESS" && read.patientId === patient.patient.id)).toBe(
      true,
    );
  });

  test("another patient, an unrelated doctor and a wrong id get NOT_FOUND, each refusal audited", async () => {
    const { dto } = await booked();
    const other = await signedInPatient(file.deps);
    const unrelated = await signIn(file.deps, (await makeDoctor(file.db)).user);
    await expect(other.caller.appointments.get({ id: dto.id })).rejects.toMatchObject(notFound);
    await expect(unrelated.caller.appointments.get({ id: dto.id })).rejects.toMatchObject(notFound);
    const missing = crypto.randomUUID();
    await expect(other.caller.appointments.get({ id: missing })).rejects.toMatchObject(notFound);
    const denied = await auditsOf(dto.id, "appointment.read");
    expect(denied.map((row) => [row.outcome, row.actorId])).toEqual([
      ["DENIED", other.user.id],
      ["DENIED", unrelated.user.id],
    ]);
    expect(denied.every((row) => row.patientId === null)).toBe(true);
  });
});

describe("rescheduling", () => {
  test("moves the appointment atomically: same id, old time freed, previous times in its history, an event", async () => {
    const { fixture, patient, dto } = await booked(2, "09:00");
    const heard: unknown[] = [];
    const stop = file.deps.events.subscribe("appointment.rescheduled", (event) => heard.push(event));
    const moved = await patient.caller.appointments.reschedule({
      id: dto.id,
      startsAt: fixture.iso(3, "10:30"),
    });
    stop();
    expect(moved).toMatchObject({
      id: dto.id,
      startsAt: fixture.at(3, "10:30"),
      endsAt: fixture.at(3, "11:00"),
      reason: "Palpitations",
      status: "SCHEDULED",
    });
    expect(moved.updatedAt.getTime()).toBeGreaterThanOrEqual(dto.updatedAt.getTime());
    const payload = {
      v: 1,
      appointmentId: dto.id,
      doctorId: fixture.doctor.id,
      patientId: patient.patient.id,
      actorId: patient.user.id,
    };
    expect(heard).toEqual([payload]);
    const outbox = await file.db
      .select()
      .from(domainEvents)
      .where(eq(domainEvents.type, "appointment.rescheduled"));
    expect(outbox.filter((event) => event.actorId === patient.user.id)).toMatchObject([{ payload }]);

    // The doctor moves it again; the history keeps both previous times, oldest first.
    await fixture.caller.appointments.rescheduleByPost({ id: dto.id, startsAt: fixture.iso(4, "11:00") });
    const detail = await patient.caller.appointments.get({ id: dto.id });
    expect(detail.history).toEqual([
      {
        startsAt: fixture.at(2, "09:00"),
        endsAt: fixture.at(2, "09:30"),
        changedAt: expect.any(Date),
        changedBy: { userId: patient.user.id, role: "PATIENT" },
      },
      {
        startsAt: fixture.at(3, "10:30"),
        endsAt: fixture.at(3, "11:00"),
        changedAt: expect.any(Date),
        changedBy: { userId: fixture.user.id, role: "DOCTOR" },
      },
    ]);
    // The first time is free again.
    const other = await signedInPatient(file.deps);
    await expect(
      other.caller.appointments.book({ doctorId: fixture.doctor.id, startsAt: fixture.iso(2, "09:00") }),
    ).resolves.toBeDefined();
    expect(
      await file.db.select().from(appointments).where(eq(appointments.patientId, patient.patient.id)),
    ).toHaveLength(1);
  });

  test("passes every booking check, and a refusal leaves the appointment where it was", async () => {
    const { fixture, patient, dto } = await booked(2, "09:00");
    const other = await signedInPatient(file.deps);
    await other.caller.appointments.book({ doctorId: fixture.doctor.id, startsAt: fixture.iso(2, "10:00") });
    const move = (startsAt: string) => patient.caller.appointments.reschedule({ id: dto.id, startsAt });
    await expect(move(fixture.iso(2, "10:00"))).rejects.toMatchObject(conflict("SLOT_TAKEN"));
    await expect(move(fixture.iso(2, "10:15"))).rejects.toMatchObject(conflict("OUTSIDE_AVAILABILITY"));
    await expect(move(fixture.iso(2, "14:00"))).rejects.toMatchObject(conflict("OUTSIDE_AVAILABILITY"));
    await expect(move(fixture.iso(-2, "09:00"))).rejects.toMatchObject(conflict("OUTSIDE_BOOKING_WINDOW"));
    await expect(move(fixture.iso(200, "09:00"))).rejects.toMatchObject(conflict("OUTSIDE_BOOKING_WINDOW"));
    const elsewhere = await doctorWithHours(file.deps);
    await patient.caller.appointments.book({
      doctorId: elsewhere.doctor.id,
      startsAt: elsewhere.iso(5, "09:00"),
    });
    await expect(move(fixture.iso(5, "09:00"))).rejects.toMatchObject(conflict("PATIENT_OVERLAP"));
    await expect(move("next tuesday")).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const detail = await patient.caller.appointments.get({ id: dto.id });
    expect(detail).toMatchObject({ startsAt: fixture.at(2, "09:00"), history: [] });
    // Moving overlapping its own time is fine: the old time is freed in the same change.
    await expect(move(fixture.iso(2, "09:30"))).resolves.toMatchObject({ startsAt: fixture.at(2, "09:30") });
    // To the time it has: nothing changes, no history.
    await expect(move(fixture.iso(2, "09:30"))).resolves.toMatchObject({ startsAt: fixture.at(2, "09:30") });
    expect((await patient.caller.appointments.get({ id: dto.id })).history).toHaveLength(1);
  });

  test("keeps the cap, counting the moved appointment once", async () => {
    const fixture = await doctorWithHours(file.deps);
    const { caller, patient, user } = await signedInPatient(file.deps);
    const first = await caller.appointments.book({
      doctorId: fixture.doctor.id,
      startsAt: fixture.iso(2, "09:00"),
    });
    await caller.appointments.book({ doctorId: fixture.doctor.id, startsAt: fixture.iso(3, "09:00") });
    await expect(
      caller.appointments.reschedule({ id: first.id, startsAt: fixture.iso(4, "09:00") }),
    ).resolves.toBeDefined();
    // A missed SCHEDULED appointment in the past moved to the future would be a third one.
    const [past] = await file.db
      .insert(appointments)
      .values({
        doctorId: fixture.doctor.id,
        patientId: patient.id,
        startsAt: fixture.at(-5, "09:00"),
        endsAt: fixture.at(-5, "09:30"),
        timezone: "Africa/Algiers",
        createdBy: user.id,
      })
      .returning();
    await expect(
      caller.appointments.reschedule({ id: past?.id ?? "", startsAt: fixture.iso(6, "09:00") }),
    ).rejects.toMatchObject(conflict("BOOKING_CAP_REACHED"));
  });

  test("only a SCHEDULED appointment moves (INVALID_TRANSITION); who may move it", async () => {
    const { fixture, patient, dto } = await booked(2, "11:00");
    const other = await signedInPatient(file.deps);
    const unrelated = await signIn(file.deps, (await makeDoctor(file.db)).user);
    const staff = await signInAs(file.deps, "STAFF");
    const admin = await signInAs(file.deps, "ADMIN");
    const to = (days: number) => ({ id: dto.id, startsAt: fixture.iso(days, "11:00") });
    await expect(other.caller.appointments.reschedule(to(3))).rejects.toMatchObject(notFound);
    await expect(unrelated.caller.appointments.reschedule(to(3))).rejects.toMatchObject(notFound);
    await expect(staff.caller.appointments.reschedule(to(3))).resolves.toBeDefined();
    await expect(admin.caller.appointments.reschedule(to(4))).resolves.toBeDefined();
    expect((await auditsOf(dto.id, "appointment.rescheduled")).map((row) => row.outcome).sort()).toEqual([
      "DENIED",
      "DENIED",
      "SUCCESS",
      "SUCCESS",
    ]);
    for (const status of ["COMPLETED", "NO_SHOW"] as const) {
      await file.db.update(appointments).set({ status }).where(eq(appointments.id, dto.id));
      await expect(patient.caller.appointments.reschedule(to(5))).rejects.toMatchObject(
        conflict("INVALID_TRANSITION"),
      );
    }
    await file.db
      .update(appointments)
      .set({
        status: "CANCELLED",
        cancelledAt: new Date(),
        cancelledBy: patient.user.id,
        cancelledByRole: "PATIENT",
      })
      .where(eq(appointments.id, dto.id));
    await expect(patient.caller.appointments.reschedule(to(5))).rejects.toMatchObject(
      conflict("INVALID_TRANSITION"),
    );
  });
});

/** The next date on or after today, in `zone`, whose clock changes (the last Sunday of March or October). */
function nextClockChange(zone: string, month: 3 | 10): string {
  let date = Temporal.PlainDate.from(localDateIn(zone, new Date())).add({ days: 2 });
  for (;;) {
    const last = Temporal.PlainDate.from({ year: date.year, month, day: 31 });
    const sunday = last.subtract({ days: last.dayOfWeek % 7 });
    if (Temporal.PlainDate.compare(sunday, date) >= 0) return sunday.toString();
    date = Temporal.PlainDate.from({ year: date.year + 1, month: 1, day: 1 });
  }
}

describe("booking across a clock change (Europe/Paris)", () => {
  test("spring forward: the skipped hour offers nothing; the slots around it book with their real lengths", async () => {
    const { doctor } = await makeDoctor(file.db, { timezone: "Europe/Paris", bookingHorizonDays: 365 });
    await makeRule(file.db, doctor.id, { weekday: 7, startMinute: 60, endMinute: 240, slotMinutes: 30 });
    const { caller } = await signedInPatient(file.deps);
    const date = nextClockChange("Europe/Paris", 3);
    const [day] = (await caller.availability.slots({ id: doctor.id, from: date, to: date })).days;
    expect(day?.slots.map((slot) => slot.localStart)).toEqual(["01:00", "01:30", "03:00", "03:30"]);
    const threeAm = wallClockInstant("Europe/Paris", date, "03:00");
    expect(threeAm.toISOString()).toBe(`${date}T01:00:00.000Z`);
    const dto = await caller.appointments.book({ doctorId: doctor.id, startsAt: threeAm.toISOString() });
    expect(dto.endsAt.toISOString()).toBe(`${date}T01:30:00.000Z`);
    // 01:45 CET is no slot start.
    await expect(
      caller.appointments.book({ doctorId: doctor.id, startsAt: `${date}T00:45:00.000Z` }),
    ).rejects.toMatchObject(conflict("OUTSIDE_AVAILABILITY"));
  });

  test("fall back: a repeated time is offered once, at its earlier instant", async () => {
    const { doctor } = await makeDoctor(file.db, { timezone: "Europe/Paris", bookingHorizonDays: 365 });
    await makeRule(file.db, doctor.id, { weekday: 7, startMinute: 60, endMinute: 240, slotMinutes: 30 });
    const { caller } = await signedInPatient(file.deps);
    const date = nextClockChange("Europe/Paris", 10);
    const [day] = (await caller.availability.slots({ id: doctor.id, from: date, to: date })).days;
    expect(day?.slots.map((slot) => slot.localStart)).toEqual([
      "01:00",
      "01:30",
      "02:00",
      "02:30",
      "03:00",
      "03:30",
    ]);
    const earlier = `${date}T00:30:00.000Z`; // 02:30 CEST
    const later = `${date}T01:30:00.000Z`; // 02:30 CET, the repeat
    await expect(caller.appointments.book({ doctorId: doctor.id, startsAt: later })).rejects.toMatchObject(
      conflict("OUTSIDE_AVAILABILITY"),
    );
    const dto = await caller.appointments.book({ doctorId: doctor.id, startsAt: earlier });
    expect(dto.endsAt.toISOString()).toBe(`${date}T01:00:00.000Z`);
    expect(localDateIn("Europe/Paris", dto.startsAt)).toBe(date);
  });
});
