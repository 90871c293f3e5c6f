import { auditEvents } from "@medical/db/schema";
import { and, eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { callerFor } from "#testing/caller.ts";
import { makeException, makeRule } from "#testing/factories/availability.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { signIn, signInAs } from "#testing/sign-in.ts";
import { readHours } from "./hours.service.ts";
import { addDays, localDateIn } from "./wall-time.ts";

const file = useFileDeps();

/** A new doctor with a profile (30-minute appointments unless overridden), signed in. */
async function doctor(overrides: Parameters<typeof makeDoctor>[1] = {}) {
  const made = await makeDoctor(file.db, overrides);
  return { id: made.doctor.id, caller: (await signIn(file.deps, made.user)).caller };
}

/** `days` after today in the doctors' zone (Africa/Algiers, the default). */
const fromToday = (days: number) => addDays(localDateIn("Africa/Algiers", new Date()), days);

const overlap = { code: "CONFLICT", cause: { code: "AVAILABILITY_OVERLAP" } };
const invalid = { code: "BAD_REQUEST" };

describe("weekly hours", () => {
  test("are created, listed through the week, changed and removed by their doctor, each write audited", async () => {
    const { id, caller } = await doctor({ appointmentMinutes: 20 });
    const sundayAfternoon = await caller.availability.create({
      id,
      weekday: 7,
      startTime: "13:00",
      endTime: "17:00",
    });
    expect(sundayAfternoon).toEqual({
      id: expect.any(String),
      doctorId: id,
      weekday: 7,
      startTime: "13:00",
      endTime: "17:00",
      slotMinutes: 20,
      isActive: true,
    });
    const sundayMorning = await caller.availability.create({
      id,
      weekday: 7,
      startTime: "09:00",
      endTime: "12:00",
      slotMinutes: 30,
    });
    const monday = await caller.availability.create({
      id,
      weekday: 1,
      startTime: "08:00",
      endTime: "11:30",
      isActive: false,
    });

    const anonymous = callerFor(file.deps);
    const week = await anonymous.availability.list({ id });
    expect(week.items.map((rule) => rule.id)).toEqual([monday.id, sundayMorning.id, sundayAfternoon.id]);
    expect(week.nextCursor).toBeNull();
    const active = await anonymous.availability.list({ id, isActive: true });
    expect(active.items.map((rule) => rule.id)).toEqual([sundayMorning.id, sundayAfternoon.id]);
    const first = await anonymous.availability.list({ id, limit: 2 });
    const rest = await anonymous.availability.list({ id, limit: 2, cursor: first.nextCursor ?? "" });
    expect([...first.items, ...rest.items].map((rule) => rule.id)).toEqual(week.items.map((rule) => rule.id));
    const backwards = await anonymous.availability.list({ id, order: "desc" });
    expect(backwards.items.map((rule) => rule.id)).toEqual([sundayAfternoon.id, sundayMorning.id, monday.id]);

    const changed = await caller.availability.update({
      availabilityId: monday.id,
      endTime: "12:00",
      isActive: true,
    });
    expect(changed).toMatchObject({ weekday: 1, startTime: "08:00", endTime: "12:00", isActive: true });
    await caller.availability.delete({ availabilityId: sundayAfternoon.id });
    expect((await anonymous.availability.list({ id })).items.map((rule) => rule.id)).toEqual([
      monday.id,
      sundayMorning.id,
    ]);
    await expect(caller.availability.delete({ availabilityId: sundayAfternoon.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });

    const audited = await file.db
      .select({ action: auditEvents.action, details: auditEvents.details })
      .from(auditEvents)
      .where(and(eq(auditEvents.targetType, "availability_rule"), eq(auditEvents.targetId, monday.id)));
    expect(audited).toEqual([
      { action: "availability.rule_created", details: { doctorId: id } },
      { action: "availability.rule_updated", details: { doctorId: id, fields: "endTime,isActive" } },
    ]);
  });

  test("never overlap other active hours on a weekday (409 AVAILABILITY_OVERLAP); touching and inactive ones may", async () => {
    const { id, caller } = await doctor();
    const morning = await caller.availability.create({
      id,
      weekday: 2,
      startTime: "09:00",
      endTime: "12:00",
    });
    await expect(
      caller.availability.create({ id, weekday: 2, startTime: "11:30", endTime: "13:00" }),
    ).rejects.toMatchObject(overlap);
    await expect(
      caller.availability.create({ id, weekday: 2, startTime: "08:00", endTime: "17:00" }),
    ).rejects.toMatchObject(overlap);
    const afternoon = await caller.availability.create({
      id,
      weekday: 2,
      startTime: "12:00",
      endTime: "17:00",
    });
    const paused = await caller.availability.create({
      id,
      weekday: 2,
      startTime: "10:00",
      endTime: "11:00",
      isActive: false,
    });
    // Another weekday, another doctor: no overlap.
    await caller.availability.create({ id, weekday: 3, startTime: "09:00", endTime: "13:00" });
    const other = await doctor();
    await other.caller.availability.create({
      id: other.id,
      weekday: 2,
      startTime: "09:00",
      endTime: "12:00",
    });

    await expect(
      caller.availability.update({ availabilityId: paused.id, isActive: true }),
    ).rejects.toMatchObject(overlap);
    await expect(
      caller.availability.update({ availabilityId: afternoon.id, startTime: "11:00" }),
    ).rejects.toMatchObject(overlap);
    await expect(
      caller.availability.update({ availabilityId: afternoon.id, weekday: 3 }),
    ).rejects.toMatchObject(overlap);
    // A refused change leaves the hours as they were.
    const week = await caller.availability.list({ id });
    expect(week.items.find((rule) => rule.id === afternoon.id)).toMatchObject({
      weekday: 2,
      startTime: "12:00",
    });
    await caller.availability.update({ availabilityId: morning.id, isActive: false });
    await caller.availability.update({ availabilityId: paused.id, isActive: true });
  });

  test("concurrent overlapping writes: the database lets exactly one through", async () => {
    const { id, caller } = await doctor();
    const attempts = await Promise.allSettled(
      ["08:00", "08:30", "09:00", "09:30", "10:00"].map((startTime) =>
        caller.availability.create({ id, weekday: 4, startTime, endTime: "11:00" }),
      ),
    );
    expect(attempts.filter((attempt) => attempt.status === "fulfilled")).toHaveLength(1);
    for (const attempt of attempts)
      if (attempt.status === "rejected") expect(attempt.reason).toMatchObject(overlap);
  });

  test("refuse bad hours with 400: reversed or empty, malformed HH:MM, slot lengths out of range or longer than the hours", async () => {
    const { id, caller } = await doctor({ appointmentMinutes: 45 });
    const create = (fields: Record<string, unknown>) =>
      caller.availability.create({ id, weekday: 5, startTime: "09:00", endTime: "12:00", ...fields });
    const refused: Record<string, unknown>[] = [
      { startTime: "12:00", endTime: "09:00" },
      { startTime: "09:00", endTime: "09:00" },
      { endTime: "24:00" },
      { startTime: "7:5" },
      { startTime: "07:60" },
      { startTime: "0900" },
      { startTime: "09:00:00" },
      { endTime: " 12:00" },
      { slotMinutes: 4 },
      { slotMinutes: 241 },
      { slotMinutes: 12.5 },
      { startTime: "09:00", endTime: "09:30" }, // the doctor's 45 minutes do not fit
      { slotMinutes: 200 },
      { weekday: 0 },
      { weekday: 8 },
      { doctorId: id },
    ];
    for (const fields of refused)
      await expect(create(fields), JSON.stringify(fields)).rejects.toMatchObject(invalid);
    const rule = await create({ startTime: "23:00", endTime: "23:59", slotMinutes: 15 });
    expect(rule).toMatchObject({ startTime: "23:00", endTime: "23:59", slotMinutes: 15 });

    // A change is checked against the stored hours as a whole.
    await expect(
      caller.availability.update({ availabilityId: rule.id, endTime: "22:00" }),
    ).rejects.toMatchObject(invalid);
    await expect(
      caller.availability.update({ availabilityId: rule.id, slotMinutes: 60 }),
    ).rejects.toMatchObject(invalid);
    await expect(caller.availability.update({ availabilityId: rule.id })).rejects.toMatchObject(invalid);
    await expect(
      caller.availability.update({ availabilityId: rule.id, endTime: "24:00" }),
    ).rejects.toMatchObject(invalid);
    expect((await caller.availability.list({ id })).items).toEqual([rule]);
  });

  test("belong to doctors the public sees: an unknown or deactivated doctor is NOT_FOUND", async () => {
    const anonymous = callerFor(file.deps);
    await expect(anonymous.availability.list({ id: crypto.randomUUID() })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    await expect(
      admin.availability.create({
        id: crypto.randomUUID(),
        weekday: 1,
        startTime: "09:00",
        endTime: "10:00",
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    const { id, caller } = await doctor();
    await caller.availability.create({ id, weekday: 1, startTime: "09:00", endTime: "10:00" });
    await admin.doctors.delete({ id });
    await expect(anonymous.availability.list({ id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      caller.availability.create({ id, weekday: 2, startTime: "09:00", endTime: "10:00" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("exceptions", () => {
  test("are added, listed from today by start date, filtered by dates and removed", async () => {
    const { id, caller } = await doctor({ appointmentMinutes: 15 });
    const past = await makeException(file.db, id, fromToday(-3));
    const vacation = await caller.availability.createException({
      id,
      kind: "TIME_OFF",
      startDate: fromToday(20),
      endDate: fromToday(27),
    });
    expect(vacation).toEqual({
      id: expect.any(String),
      doctorId: id,
      kind: "TIME_OFF",
      startDate: fromToday(20),
      endDate: fromToday(27),
      startTime: null,
      endTime: null,
      slotMinutes: null,
    });
    const saturday = await caller.availability.createException({
      id,
      kind: "EXTRA_HOURS",
      startDate: fromToday(5),
      endDate: fromToday(5),
      startTime: "09:00",
      endTime: "12:00",
    });
    expect(saturday).toMatchObject({ startTime: "09:00", endTime: "12:00", slotMinutes: 15 });
    const afternoonOff = await caller.availability.createException({
      id,
      kind: "TIME_OFF",
      startDate: fromToday(0),
      endDate: fromToday(0),
      startTime: "14:00",
      endTime: "17:00",
    });

    const anonymous = callerFor(file.deps);
    const upcoming = await anonymous.availability.listExceptions({ id });
    expect(upcoming.items.map((e) => e.id)).toEqual([afternoonOff.id, saturday.id, vacation.id]);
    const all = await anonymous.availability.listExceptions({ id, from: fromToday(-10) });
    expect(all.items.map((e) => e.id)).toEqual([past.id, afternoonOff.id, saturday.id, vacation.id]);
    // Overlapping the range: the vacation started before `from` and ends in it.
    const window = await anonymous.availability.listExceptions({
      id,
      from: fromToday(25),
      to: fromToday(40),
    });
    expect(window.items.map((e) => e.id)).toEqual([vacation.id]);
    const soon = await anonymous.availability.listExceptions({ id, to: fromToday(5) });
    expect(soon.items.map((e) => e.id)).toEqual([afternoonOff.id, saturday.id]);
    const page = await anonymous.availability.listExceptions({ id, limit: 2 });
    const next = await anonymous.availability.listExceptions({ id, limit: 2, cursor: page.nextCursor ?? "" });
    expect([...page.items, ...next.items].map((e) => e.id)).toEqual(upcoming.items.map((e) => e.id));
    await expect(
      anonymous.availability.listExceptions({ id, from: fromToday(5), to: fromToday(4) }),
    ).rejects.toMatchObject(invalid);
    await expect(anonymous.availability.listExceptions({ id, from: "2026-02-30" })).rejects.toMatchObject(
      invalid,
    );

    await caller.availability.deleteException({ exceptionId: vacation.id });
    expect((await anonymous.availability.listExceptions({ id })).items.map((e) => e.id)).toEqual([
      afternoonOff.id,
      saturday.id,
    ]);
    const [audited] = await file.db
      .select({ action: auditEvents.action })
      .from(auditEvents)
      .where(
        and(eq(auditEvents.targetId, vacation.id), eq(auditEvents.action, "availability.exception_deleted")),
      );
    expect(audited).toBeDefined();
  });

  test("refuse bad dates and times with 400, and overlapping extra hours with 409", async () => {
    const { id, caller } = await doctor({ appointmentMinutes: 60 });
    const create = (fields: Record<string, unknown>) =>
      caller.availability.createException({
        id,
        kind: "TIME_OFF",
        startDate: fromToday(1),
        endDate: fromToday(1),
        ...fields,
      });
    const refused: Record<string, unknown>[] = [
      { endDate: fromToday(0) }, // before startDate
      { startDate: fromToday(-5), endDate: fromToday(-1) }, // over already
      { endDate: fromToday(1 + 366) }, // 367 days
      { startTime: "09:00" },
      { endTime: "12:00" },
      { startTime: "12:00", endTime: "09:00" },
      { startTime: "24:00", endTime: "24:30" },
      { slotMinutes: 30 }, // time off has no slots
      { kind: "EXTRA_HOURS" }, // extra hours need times
      { kind: "EXTRA_HOURS", startTime: "09:00", endTime: "09:30" }, // the doctor's hour does not fit
      { kind: "EXTRA_HOURS", startTime: "09:00", endTime: "12:00", slotMinutes: 241 },
      { kind: "SICK_DAY" },
      { startDate: "2026-02-29" },
      { startDate: "0000-01-01", endDate: "0000-01-01" },
      { startDate: "tomorrow" },
    ];
    for (const fields of refused)
      await expect(create(fields), JSON.stringify(fields)).rejects.toMatchObject(invalid);

    const year = await create({ endDate: fromToday(1 + 365) });
    expect(year.endDate).toBe(fromToday(366));
    const extra = { kind: "EXTRA_HOURS", startDate: fromToday(2), endDate: fromToday(9) } as const;
    await caller.availability.createException({ ...extra, id, startTime: "17:00", endTime: "19:00" });
    await expect(
      caller.availability.createException({
        ...extra,
        id,
        startDate: fromToday(9),
        endDate: fromToday(12),
        startTime: "18:00",
        endTime: "20:00",
      }),
    ).rejects.toMatchObject(overlap);
    // Touching windows, other days, and time off over anything are fine.
    await caller.availability.createException({ ...extra, id, startTime: "19:00", endTime: "20:00" });
    await caller.availability.createException({
      ...extra,
      id,
      startDate: fromToday(10),
      endDate: fromToday(10),
      startTime: "18:00",
      endTime: "20:00",
    });
    await create({ startDate: fromToday(2), endDate: fromToday(9) });
  });
});

describe("booking settings", () => {
  test("default to 60 minutes of notice and 90 days ahead, and are changed through the doctor's profile", async () => {
    const { id, caller } = await doctor();
    expect(await callerFor(file.deps).doctors.get({ id })).toMatchObject({
      minNoticeMinutes: 60,
      bookingHorizonDays: 90,
    });
    expect(
      await caller.doctors.updateMyProfile({ minNoticeMinutes: 0, bookingHorizonDays: 365 }),
    ).toMatchObject({
      minNoticeMinutes: 0,
      bookingHorizonDays: 365,
    });
    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    expect(await admin.doctors.update({ id, minNoticeMinutes: 10_080, bookingHorizonDays: 1 })).toMatchObject(
      {
        minNoticeMinutes: 10_080,
        bookingHorizonDays: 1,
      },
    );
    for (const fields of [
      { minNoticeMinutes: -1 },
      { minNoticeMinutes: 10_081 },
      { bookingHorizonDays: 0 },
      { bookingHorizonDays: 366 },
      { bookingHorizonDays: 1.5 },
    ])
      await expect(caller.doctors.updateMyProfile(fields), JSON.stringify(fields)).rejects.toMatchObject(
        invalid,
      );
  });
});

describe("what slot generation reads", () => {
  test("is the active weekly hours and the exceptions touching the dates", async () => {
    const { id } = await doctor();
    await makeRule(file.db, id, { weekday: 1, startMinute: 780, endMinute: 1020, slotMinutes: 20 });
    await makeRule(file.db, id, { weekday: 1, startMinute: 540, endMinute: 720 });
    await makeRule(file.db, id, { weekday: 2, startMinute: 540, endMinute: 720, isActive: false });
    await makeException(file.db, id, "2027-03-01", { endDate: "2027-03-03" });
    await makeException(file.db, id, "2027-03-10", {
      kind: "EXTRA_HOURS",
      startMinute: 840,
      endMinute: 960,
      slotMinutes: 30,
    });
    await makeException(file.db, id, "2027-04-01");
    expect(await readHours(file.db, id, { from: "2027-03-03", to: "2027-03-31" })).toEqual({
      weekly: [
        { weekday: 1, startMinute: 540, endMinute: 720, slotMinutes: 30 },
        { weekday: 1, startMinute: 780, endMinute: 1020, slotMinutes: 20 },
      ],
      dated: [
        {
          kind: "TIME_OFF",
          startDate: "2027-03-01",
          endDate: "2027-03-03",
          startMinute: null,
          endMinute: null,
          slotMinutes: null,
        },
        {
          kind: "EXTRA_HOURS",
          startDate: "2027-03-10",
          endDate: "2027-03-10",
          startMinute: 840,
          endMinute: 960,
          slotMinutes: 30,
        },
      ],
    });
  });
});
