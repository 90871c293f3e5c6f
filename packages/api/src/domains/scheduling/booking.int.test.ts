import { appointments, auditEvents, domainEvents } from "@medical/db/schema";
import { and, eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { addDays, localDateIn } from "#domains/availability/public.ts";
import type { DomainEvents } from "#platform/events/event-bus.ts";
import { callerFor } from "#testing/caller.ts";
import { makeTestDeps } from "#testing/deps.ts";
import { makeException } from "#testing/factories/availability.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { doctorWithHours, signedInPatient } from "#testing/scheduling.ts";
import { signIn, signInAs } from "#testing/sign-in.ts";

const file = useFileDeps();

const conflict = (appCode: string) => ({ code: "CONFLICT", cause: { code: appCode } });
const badRequest = { code: "BAD_REQUEST" };

describe("the slots of a doctor", () => {
  test("list every date of the range with the free slots of the hours, in the doctor's zone", async () => {
    const { doctor, at } = await doctorWithHours(file.deps);
    const anonymous = callerFor(file.deps);
    const today = localDateIn("Africa/Algiers", new Date());
    const schedule = await anonymous.availability.slots({
      id: doctor.id,
      from: addDays(today, 1),
      to: addDays(today, 3),
    });
    expect(schedule.timezone).toBe("Africa/Algiers");
    expect(schedule.days.map((day) => day.date)).toEqual([1, 2, 3].map((n) => addDays(today, n)));
    const [first] = schedule.days;
    expect(first?.slots.map((slot) => slot.localStart)).toEqual([
      "09:00",
      "09:30",
      "10:00",
      "10:30",
      "11:00",
      "11:30",
    ]);
    expect(first?.slots[0]).toEqual({ start: at(1, "09:00"), end: at(1, "09:30"), localStart: "09:00" });
  });

  test("leave out booked slots, and offer them again once cancelled", async () => {
    const fixture = await doctorWithHours(file.deps);
    const { caller } = await signedInPatient(file.deps);
    const booked = await caller.appointments.book({
      doctorId: fixture.doctor.id,
      startsAt: fixture.iso(2, "10:00"),
    });
    const date = addDays(localDateIn("Africa/Algiers", new Date()), 2);
    const startsOf = async () =>
      (await caller.availability.slots({ id: fixture.doctor.id, from: date, to: date })).days[0]?.slots.map(
        (slot) => slot.localStart,
      );
    expect(await startsOf()).toEqual(["09:00", "09:30", "10:30", "11:00", "11:30"]);
    await file.db
      .update(appointments)
      .set({
        status: "CANCELLED",
        cancelledAt: new Date(),
        cancelledBy: fixture.user.id,
        cancelledByRole: "DOCTOR",
      })
      .where(eq(appointments.id, booked.id));
    expect(await startsOf()).toHaveLength(6);
  });

  test("refuse bad ranges with 400 and unknown or deactivated doctors with 404, never 500", async () => {
    const { doctor, caller } = await doctorWithHours(file.deps);
    const inactive = await makeDoctor(file.db, { isActive: false });
    const today = localDateIn("Africa/Algiers", new Date());
    const slots = (input: { id?: string; from: string; to: string }) =>
      caller.availability.slots({ id: input.id ?? doctor.id, from: input.from, to: input.to });
    await expect(slots({ from: today, to: addDays(today, 62) })).rejects.toMatchObject(badRequest);
    await expect(slots({ from: today, to: addDays(today, -1) })).rejects.toMatchObject(badRequest);
    await expect(slots({ from: "2026-13-01", to: today })).rejects.toMatchObject(badRequest);
    await expect(slots({ from: "2026-02-30", to: "2026-03-01" })).rejects.toMatchObject(badRequest);
    await expect(slots({ from: "01-02-2026", to: today })).rejects.toMatchObject(badRequest);
    await expect(slots({ id: crypto.randomUUID(), from: today, to: today })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(slots({ id: inactive.doctor.id, from: today, to: today })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const longest = await slots({ from: today, to: addDays(today, 61) });
    expect(longest.days).toHaveLength(62);
    // Far from the booking window: every date listed, none with a slot, nothing else read.
    const far = await slots({ from: "9999-11-01", to: "9999-12-31" });
    expect(far.days).toHaveLength(61);
    expect(far.days.every((day) => day.slots.length === 0)).toBe(true);
    const past = await slots({ from: "1900-01-01", to: "1900-01-31" });
    expect(past.days.every((day) => day.slots.length === 0)).toBe(true);
  });
});

describe("booking", () => {
  test("a patient books an offered slot: 30 minutes long, the reason encrypted, audited, an event in the outbox", async () => {
    const fixture = await doctorWithHours(file.deps);
    const { patient, user, caller } = await signedInPatient(file.deps);
    const heard: DomainEvents["appointment.booked"][] = [];
    const stop = file.deps.events.subscribe("appointment.booked", (event) => heard.push(event));
    const dto = await caller.appointments.book({
      doctorId: fixture.doctor.id,
      startsAt: fixture.iso(3, "09:30"),
      reason: "  Essoufflement à l'effort  ",
    });
    stop();
    expect(dto).toMatchObject({
      doctor: { id: fixture.doctor.id, firstName: "Karim", specialties: [] },
      patient: { id: patient.id, firstName: "Amina" },
      startsAt: fixture.at(3, "09:30"),
      endsAt: fixture.at(3, "10:00"),
      timezone: "Africa/Algiers",
      status: "SCHEDULED",
      reason: "Essoufflement à l'effort",
      cancellation: null,
    });
    const [stored] = await file.db.select().from(appointments).where(eq(appointments.id, dto.id));
    expect(stored).toMatchObject({ createdBy: user.id, patientId: patient.id });
    expect(stored?.reason).toMatch(/^v1\./);
    expect(stored?.reason).not.toContain("Essoufflement");
    const events = await file.db
      .select()
      .from(domainEvents)
      .where(eq(domainEvents.type, "appointment.booked"));
    const payload = {
      v: 1,
      appointmentId: dto.id,
      doctorId: fixture.doctor.id,
      patientId: patient.id,
      actorId: user.id,
    };
    expect(events.filter((event) => event.actorId === user.id)).toMatchObject([{ payload }]);
    expect(heard).toEqual([payload]);
    const audits = await file.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, dto.id), eq(auditEvents.action, "appointment.booked")));
    expect(audits).toMatchObject([{ actorId: user.id, patientId: patient.id, outcome: "SUCCESS" }]);
  });

  test("who books: a patient for themselves, STAFF and ADMIN for a named patient; a doctor never", async () => {
    const fixture = await doctorWithHours(file.deps);
    const { patient, caller } = await signedInPatient(file.deps);
    const other = await makePatient(file.db);
    const book = (who: typeof caller, startsAt: string, patientId?: string) =>
      who.appointments.book({ doctorId: fixture.doctor.id, startsAt, ...(patientId ? { patientId } : {}) });

    await expect(book(caller, fixture.iso(4, "09:00"), other.patient.id)).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(book(caller, fixture.iso(4, "09:00"), patient.id)).resolves.toMatchObject({
      patient: { id: patient.id },
    });
    const noProfile = await signInAs(file.deps, "PATIENT");
    await expect(book(noProfile.caller, fixture.iso(4, "10:00"))).rejects.toMatchObject(
      conflict("PROFILE_REQUIRED"),
    );

    const staff = await signInAs(file.deps, "STAFF");
    await expect(book(staff.caller, fixture.iso(4, "10:00"))).rejects.toMatchObject(badRequest);
    await expect(book(staff.caller, fixture.iso(4, "10:00"), crypto.randomUUID())).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const byStaff = await book(staff.caller, fixture.iso(4, "10:00"), other.patient.id);
    expect(byStaff.patient.id).toBe(other.patient.id);
    const [row] = await file.db.select().from(appointments).where(eq(appointments.id, byStaff.id));
    expect(row?.createdBy).toBe(staff.user.id);
    const admin = await signInAs(file.deps, "ADMIN");
    await expect(book(admin.caller, fixture.iso(5, "10:00"), other.patient.id)).resolves.toBeDefined();
    const deactivated = await makePatient(file.db, { isActive: false });
    await expect(book(admin.caller, fixture.iso(5, "11:00"), deactivated.patient.id)).rejects.toMatchObject(
      conflict("PROFILE_REQUIRED"),
    );

    await expect(book(fixture.caller, fixture.iso(6, "10:00"), patient.id)).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });

  test("only a start the doctor's hours offer (OUTSIDE_AVAILABILITY), within notice and horizon (OUTSIDE_BOOKING_WINDOW)", async () => {
    const fixture = await doctorWithHours(file.deps, { minNoticeMinutes: 60, bookingHorizonDays: 10 });
    const { caller } = await signedInPatient(file.deps);
    const book = (startsAt: string) => caller.appointments.book({ doctorId: fixture.doctor.id, startsAt });
    await expect(book(fixture.iso(2, "09:10"))).rejects.toMatchObject(conflict("OUTSIDE_AVAILABILITY"));
    await expect(book(fixture.iso(2, "13:00"))).rejects.toMatchObject(conflict("OUTSIDE_AVAILABILITY"));
    await expect(book(fixture.iso(2, "11:45"))).rejects.toMatchObject(conflict("OUTSIDE_AVAILABILITY"));
    const dayOff = addDays(localDateIn("Africa/Algiers", new Date()), 3);
    await makeException(file.db, fixture.doctor.id, dayOff);
    await expect(book(fixture.iso(3, "09:00"))).rejects.toMatchObject(conflict("OUTSIDE_AVAILABILITY"));

    await expect(book(fixture.iso(-1, "09:00"))).rejects.toMatchObject(conflict("OUTSIDE_BOOKING_WINDOW"));
    await expect(book(fixture.iso(12, "09:00"))).rejects.toMatchObject(conflict("OUTSIDE_BOOKING_WINDOW"));
    await expect(book(new Date(Date.now() + 30 * 60_000).toISOString())).rejects.toMatchObject(
      conflict("OUTSIDE_BOOKING_WINDOW"),
    );
    await expect(book("2026-01-01T09:00:00")).rejects.toMatchObject(badRequest);
    await expect(book("tomorrow")).rejects.toMatchObject(badRequest);
    await expect(
      caller.appointments.book({ doctorId: crypto.randomUUID(), startsAt: fixture.iso(2, "09:00") }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    const inactive = await makeDoctor(file.db, { isActive: false });
    await expect(
      caller.appointments.book({ doctorId: inactive.doctor.id, startsAt: fixture.iso(2, "09:00") }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      caller.appointments.book({
        doctorId: fixture.doctor.id,
        startsAt: fixture.iso(2, "09:00"),
        reason: "x".repeat(501),
      }),
    ).rejects.toMatchObject(badRequest);
    // An offset other than Z names the same instant.
    const local = `${addDays(localDateIn("Africa/Algiers", new Date()), 2)}T09:00:00+01:00`;
    await expect(book(local)).resolves.toMatchObject({ startsAt: fixture.at(2, "09:00") });
  });

  test("the database refuses a taken slot (SLOT_TAKEN) and a patient's overlapping times (PATIENT_OVERLAP)", async () => {
    const one = await doctorWithHours(file.deps);
    const two = await doctorWithHours(file.deps);
    const first = await signedInPatient(file.deps);
    const second = await signedInPatient(file.deps);
    await first.caller.appointments.book({ doctorId: one.doctor.id, startsAt: one.iso(2, "09:00") });
    await expect(
      second.caller.appointments.book({ doctorId: one.doctor.id, startsAt: one.iso(2, "09:00") }),
    ).rejects.toMatchObject(conflict("SLOT_TAKEN"));
    await expect(
      first.caller.appointments.book({ doctorId: two.doctor.id, startsAt: two.iso(2, "09:00") }),
    ).rejects.toMatchObject(conflict("PATIENT_OVERLAP"));
    await expect(
      second.caller.appointments.book({ doctorId: two.doctor.id, startsAt: two.iso(2, "09:00") }),
    ).resolves.toBeDefined();
  });

  test("a patient holds at most BOOKING_CAP_PER_DOCTOR upcoming appointments with one doctor", async () => {
    const fixture = await doctorWithHours(file.deps);
    const other = await doctorWithHours(file.deps);
    const { caller, patient, user } = await signedInPatient(file.deps);
    const book = (doctor: typeof fixture, days: number) =>
      caller.appointments.book({ doctorId: doctor.doctor.id, startsAt: doctor.iso(days, "11:00") });
    await book(fixture, 2);
    const second = await book(fixture, 3);
    await expect(book(fixture, 4)).rejects.toMatchObject(conflict("BOOKING_CAP_REACHED"));
    await expect(book(other, 4)).resolves.toBeDefined();
    // Past, cancelled or completed appointments do not count.
    await file.db
      .update(appointments)
      .set({ status: "CANCELLED", cancelledAt: new Date(), cancelledBy: user.id, cancelledByRole: "PATIENT" })
      .where(eq(appointments.id, second.id));
    await file.db.insert(appointments).values({
      doctorId: fixture.doctor.id,
      patientId: patient.id,
      startsAt: fixture.at(-3, "09:00"),
      endsAt: fixture.at(-3, "09:30"),
      timezone: "Africa/Algiers",
      createdBy: user.id,
    });
    await expect(book(fixture, 5)).resolves.toBeDefined();
    await expect(book(fixture, 6)).rejects.toMatchObject(conflict("BOOKING_CAP_REACHED"));
  });

  test("the cap follows the configuration", async () => {
    const deps = makeTestDeps(file.handle, { settings: { bookingCapPerDoctor: 1 } });
    const fixture = await doctorWithHours(deps);
    const { user } = await makePatient(file.db);
    const { caller } = await signIn(deps, user);
    await caller.appointments.book({ doctorId: fixture.doctor.id, startsAt: fixture.iso(2, "09:00") });
    await expect(
      caller.appointments.book({ doctorId: fixture.doctor.id, startsAt: fixture.iso(3, "09:00") }),
    ).rejects.toMatchObject({
      cause: { code: "BOOKING_CAP_REACHED", message: expect.stringContaining("1 upcoming appointment ") },
    });
  });
});

describe("booking with an idempotency key", () => {
  test("a retry gets the first answer and books nothing more; another body is 422; another user's key is theirs", async () => {
    const fixture = await doctorWithHours(file.deps);
    const { caller, patient } = await signedInPatient(file.deps);
    const key = crypto.randomUUID();
    const request = { doctorId: fixture.doctor.id, startsAt: fixture.iso(2, "09:00"), reason: "Bilan" };
    const first = await caller.appointments.book({ ...request, idempotencyKey: key });
    const again = await caller.appointments.book({ ...request, idempotencyKey: key });
    expect(again).toEqual(first);
    const rows = await file.db.select().from(appointments).where(eq(appointments.patientId, patient.id));
    expect(rows).toHaveLength(1);
    // The same instant written otherwise is the same request.
    const sameInstant = `${addDays(localDateIn("Africa/Algiers", new Date()), 2)}T09:00:00+01:00`;
    await expect(
      caller.appointments.book({ ...request, startsAt: sameInstant, idempotencyKey: key }),
    ).resolves.toEqual(first);
    await expect(
      caller.appointments.book({ ...request, reason: "Autre chose", idempotencyKey: key }),
    ).rejects.toMatchObject({ code: "UNPROCESSABLE_CONTENT", cause: { code: "IDEMPOTENCY_MISMATCH" } });

    const other = await signedInPatient(file.deps);
    await expect(other.caller.appointments.book({ ...request, idempotencyKey: key })).rejects.toMatchObject(
      conflict("SLOT_TAKEN"),
    );
    // That refusal is stored too: the slot freed, the same retry still answers SLOT_TAKEN.
    await file.db
      .update(appointments)
      .set({
        status: "CANCELLED",
        cancelledAt: new Date(),
        cancelledBy: fixture.user.id,
        cancelledByRole: "DOCTOR",
      })
      .where(eq(appointments.id, first.id));
    await expect(other.caller.appointments.book({ ...request, idempotencyKey: key })).rejects.toMatchObject(
      conflict("SLOT_TAKEN"),
    );
    await expect(
      other.caller.appointments.book({ ...request, idempotencyKey: crypto.randomUUID() }),
    ).resolves.toMatchObject({ startsAt: fixture.at(2, "09:00") });
  });

  test("a malformed key is a 400", async () => {
    const fixture = await doctorWithHours(file.deps);
    const { caller } = await signedInPatient(file.deps);
    await expect(
      caller.appointments.book({
        doctorId: fixture.doctor.id,
        startsAt: fixture.iso(2, "09:00"),
        idempotencyKey: "has spaces",
      }),
    ).rejects.toMatchObject(badRequest);
  });
});
