import { appointments } from "@medical/db/schema";
import { and, eq, ne } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { outcomes, tally, useRaceDeps } from "#testing/race.ts";
import { doctorWithHours, signedInPatient } from "#testing/scheduling.ts";

/** Races only PostgreSQL can show (PGlite runs one transaction at a time), over a pool of 25. */
const race = useRaceDeps();

describe.skipIf(!race.onPostgres)("concurrent bookings (PostgreSQL)", () => {
  test("60 patients booking one slot at once: exactly one 201, every other SLOT_TAKEN", async () => {
    const fixture = await doctorWithHours(race.deps);
    const patients = await Promise.all(Array.from({ length: 60 }, () => signedInPatient(race.deps)));
    const startsAt = fixture.iso(2, "10:00");
    const codes = await outcomes(
      patients.map(({ caller }) => caller.appointments.book({ doctorId: fixture.doctor.id, startsAt })),
    );
    expect(tally(codes)).toEqual({ ok: 1, SLOT_TAKEN: 59 });
    const rows = await race.deps.db
      .select()
      .from(appointments)
      .where(and(eq(appointments.doctorId, fixture.doctor.id), ne(appointments.status, "CANCELLED")));
    expect(rows).toHaveLength(1);
  });

  test("one patient booking 12 slots of one doctor at once: exactly the cap succeed", async () => {
    const fixture = await doctorWithHours(race.deps);
    const { caller, patient } = await signedInPatient(race.deps);
    const codes = await outcomes(
      Array.from({ length: 12 }, (_, i) =>
        caller.appointments.book({
          doctorId: fixture.doctor.id,
          startsAt: fixture.iso(2 + (i % 6), i < 6 ? "09:00" : "11:00"),
        }),
      ),
    );
    expect(tally(codes)).toEqual({ BOOKING_CAP_REACHED: 10, ok: 2 });
    expect(
      await race.deps.db.select().from(appointments).where(eq(appointments.patientId, patient.id)),
    ).toHaveLength(2);
  });

  test("one patient booking two doctors at the same time at once: one succeeds, the other PATIENT_OVERLAP", async () => {
    const doctors = await Promise.all(Array.from({ length: 8 }, () => doctorWithHours(race.deps)));
    const { caller } = await signedInPatient(race.deps);
    const codes = await outcomes(
      doctors.map((d) => caller.appointments.book({ doctorId: d.doctor.id, startsAt: d.iso(3, "09:30") })),
    );
    expect(tally(codes)).toEqual({ PATIENT_OVERLAP: 7, ok: 1 });
  });

  test("20 retries of one request with one Idempotency-Key at once: one booking, every answer the same or IN_PROGRESS", async () => {
    const fixture = await doctorWithHours(race.deps);
    const { caller, patient } = await signedInPatient(race.deps);
    const request = {
      doctorId: fixture.doctor.id,
      startsAt: fixture.iso(4, "09:00"),
      idempotencyKey: crypto.randomUUID(),
    };
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, () => caller.appointments.book(request)),
    );
    const ids = new Set(
      settled.flatMap((result) => (result.status === "fulfilled" ? [result.value.id] : [])),
    );
    expect(ids.size).toBe(1);
    const codes = await outcomes(
      settled.map((result) =>
        result.status === "fulfilled" ? Promise.resolve() : Promise.reject(result.reason),
      ),
    );
    expect(codes.every((code) => code === "ok" || code === "IDEMPOTENCY_IN_PROGRESS")).toBe(true);
    expect(
      await race.deps.db.select().from(appointments).where(eq(appointments.patientId, patient.id)),
    ).toHaveLength(1);
    await expect(caller.appointments.book(request)).resolves.toMatchObject({ id: [...ids][0] });
  });

  test("two patients moving their appointments onto one free slot at once: one moves, the other SLOT_TAKEN and stays", async () => {
    const fixture = await doctorWithHours(race.deps);
    const movers = await Promise.all(Array.from({ length: 10 }, () => signedInPatient(race.deps)));
    const booked = await Promise.all(
      movers.map(({ caller }, i) =>
        caller.appointments.book({
          doctorId: fixture.doctor.id,
          startsAt: fixture.iso(
            5 + Math.floor(i / 6),
            ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"][i % 6] ?? "09:00",
          ),
        }),
      ),
    );
    const target = fixture.iso(2, "11:30");
    const codes = await outcomes(
      movers.map(({ caller }, i) =>
        caller.appointments.reschedule({ id: booked[i]?.id ?? "", startsAt: target }),
      ),
    );
    expect(tally(codes)).toEqual({ SLOT_TAKEN: 9, ok: 1 });
    const atTarget = await race.deps.db
      .select()
      .from(appointments)
      .where(and(eq(appointments.doctorId, fixture.doctor.id), eq(appointments.startsAt, new Date(target))));
    expect(atTarget).toHaveLength(1);
  });
});
