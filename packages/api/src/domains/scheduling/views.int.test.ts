import { type AppointmentStatus, auditEvents, type User } from "@medical/db/schema";
import { TRPCError } from "@trpc/server";
import { and, desc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, test } from "vitest";
import type { Caller } from "#testing/caller.ts";
import { makeAppointment } from "#testing/factories/appointments.ts";
import { makeDoctor, makeSpecialty } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { signIn, signInAs } from "#testing/sign-in.ts";
import { ZAppointmentSummary } from "./appointment-dto.ts";

const file = useFileDeps();
const DAY_MS = 86_400_000;

interface Booked {
  id: string;
  who: "P" | "Q";
  doctor: "D1" | "D2";
  startsAt: Date;
  status: AppointmentStatus;
}

/** Patient P's appointments with doctors D1 and D2, and patient Q's with D1, days from now. */
const PLAN: [Booked["who"], Booked["doctor"], number, AppointmentStatus][] = [
  ["P", "D1", -20, "COMPLETED"],
  ["P", "D2", -10, "NO_SHOW"],
  ["P", "D1", -5, "CANCELLED"],
  ["P", "D1", 3, "SCHEDULED"],
  ["P", "D2", 4, "CANCELLED"],
  ["P", "D2", 6, "SCHEDULED"],
  ["P", "D1", 8, "SCHEDULED"],
  ["Q", "D1", -3, "COMPLETED"],
  ["Q", "D1", 5, "SCHEDULED"],
];

let booked: Booked[];
let ids: Record<"P" | "Q" | "D1" | "D2", string>;
let callers: Record<"P" | "Q" | "D1" | "D2" | "staff" | "admin", Caller>;
let users: Record<"P" | "D1", User>;

beforeAll(async () => {
  const cardiology = await makeSpecialty(file.db);
  const d1 = await makeDoctor(file.db, { specialtyIds: [cardiology.id] });
  const d2 = await makeDoctor(file.db, { timezone: "Europe/Paris" });
  const p = await makePatient(file.db);
  const q = await makePatient(file.db);
  ids = { P: p.patient.id, Q: q.patient.id, D1: d1.doctor.id, D2: d2.doctor.id };
  users = { P: p.user, D1: d1.user };
  const now = Date.now();
  booked = [];
  for (const [who, doctor, days, status] of PLAN) {
    const startsAt = new Date(now + days * DAY_MS);
    const row = await makeAppointment(file.db, {
      doctorId: ids[doctor],
      patientId: ids[who],
      createdBy: (who === "P" ? p : q).user.id,
      startsAt,
      status,
      timezone: doctor === "D2" ? "Europe/Paris" : "Africa/Algiers",
      reason: "Motif confidentiel",
      cipher: file.deps.fieldCipher,
      ...(status === "CANCELLED"
        ? {
            cancelledBy: p.user.id,
            cancelledByRole: "PATIENT",
            cancelledAt: new Date(now),
            cancellationReason: "Empêchement",
          }
        : {}),
    });
    booked.push({ id: row.id, who, doctor, startsAt, status });
  }
  callers = {
    P: (await signIn(file.deps, p.user)).caller,
    Q: (await signIn(file.deps, q.user)).caller,
    D1: (await signIn(file.deps, d1.user)).caller,
    D2: (await signIn(file.deps, d2.user)).caller,
    staff: (await signInAs(file.deps, "STAFF")).caller,
    admin: (await signInAs(file.deps, "ADMIN")).caller,
  };
});

/** The world's appointments passing `keep`, by start (ascending unless `order` says otherwise). */
function expectedIds(keep: (b: Booked) => boolean, order: "asc" | "desc" = "asc"): string[] {
  const sorted = booked.filter(keep).sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  return (order === "asc" ? sorted : sorted.reverse()).map((b) => b.id);
}
const idsOf = (page: { items: { id: string }[] }) => page.items.map((item) => item.id);
const now = () => Date.now();

function code(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => "ok",
    (error: unknown) => (error instanceof TRPCError ? error.code : String(error)),
  );
}

describe("GET /appointments/me (PATIENT)", () => {
  test("the caller's own, by start ascending, as summaries without the reason", async () => {
    const page = await callers.P.appointments.mine({});
    expect(idsOf(page)).toEqual(expectedIds((b) => b.who === "P"));
    expect(page.nextCursor).toBeNull();
    for (const item of page.items) {
      expect(ZAppointmentSummary.parse(item)).toEqual(item);
      expect(item).not.toHaveProperty("reason");
    }
    const withD2 = page.items.find((item) => item.doctor.id === ids.D2);
    expect(withD2).toMatchObject({
      timezone: "Europe/Paris",
      patient: { id: ids.P, firstName: users.P.firstName },
    });
    const withD1 = page.items.find((item) => item.doctor.id === ids.D1);
    expect(withD1?.doctor.specialties).toHaveLength(1);
    const cancelled = page.items.find((item) => item.status === "CANCELLED");
    expect(cancelled?.cancellation).toMatchObject({ by: { role: "PATIENT" }, reason: "Empêchement" });
  });

  test("when=upcoming: from now on, soonest first; when=past: before now, latest first", async () => {
    const upcoming = await callers.P.appointments.mine({ when: "upcoming" });
    expect(idsOf(upcoming)).toEqual(expectedIds((b) => b.who === "P" && b.startsAt.getTime() >= now()));
    const past = await callers.P.appointments.mine({ when: "past" });
    expect(idsOf(past)).toEqual(expectedIds((b) => b.who === "P" && b.startsAt.getTime() < now(), "desc"));
    const pastAscending = await callers.P.appointments.mine({ when: "past", order: "asc" });
    expect(idsOf(pastAscending)).toEqual([...idsOf(past)].reverse());
  });

  test("status: one or several", async () => {
    const cancelled = await callers.P.appointments.mine({ status: ["CANCELLED"] });
    expect(idsOf(cancelled)).toEqual(expectedIds((b) => b.who === "P" && b.status === "CANCELLED"));
    const open = await callers.P.appointments.mine({ status: ["SCHEDULED", "NO_SHOW"], when: "upcoming" });
    expect(idsOf(open)).toEqual(
      expectedIds((b) => b.who === "P" && b.status === "SCHEDULED" && b.startsAt.getTime() >= now()),
    );
  });

  test("from (included) and to (excluded) bound the start", async () => {
    const inside = booked
      .filter((b) => b.who === "P")
      .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
    const from = inside[1]?.startsAt ?? new Date();
    const to = inside[4]?.startsAt ?? new Date();
    const page = await callers.P.appointments.mine({ from, to });
    expect(idsOf(page)).toEqual(inside.slice(1, 4).map((b) => b.id));
  });

  test("keyset pages: walking the cursors gives every row once, in order, in either direction", async () => {
    for (const when of [undefined, "past", "upcoming"] as const) {
      const all = idsOf(await callers.P.appointments.mine({ when }));
      const walked: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await callers.P.appointments.mine({ when, limit: 2, cursor });
        walked.push(...idsOf(page));
        cursor = page.nextCursor ?? undefined;
        pages += 1;
      } while (cursor && pages < 10);
      expect(walked).toEqual(all);
      expect(pages).toBe(Math.max(1, Math.ceil(all.length / 2)));
    }
  });

  test("a list read is audited: the ids returned and the patient, never the text", async () => {
    const page = await callers.P.appointments.mine({ limit: 3 });
    const [event] = await file.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "appointment.list"), eq(auditEvents.actorId, users.P.id)))
      .orderBy(desc(auditEvents.id))
      .limit(1);
    expect(event).toMatchObject({
      outcome: "SUCCESS",
      actorRole: "PATIENT",
      targetType: "appointment",
      patientId: ids.P,
      resourceIds: idsOf(page),
      details: { view: "patient" },
    });
  });

  test("another patient sees only their own; a patient without a profile sees none", async () => {
    expect(idsOf(await callers.Q.appointments.mine({}))).toEqual(expectedIds((b) => b.who === "Q"));
    const newcomer = await signInAs(file.deps, "PATIENT");
    expect(await newcomer.caller.appointments.mine({})).toEqual({ items: [], nextCursor: null });
  });
});

describe("GET /appointments/doctor/me (DOCTOR)", () => {
  test("the doctor's own, every patient's, with the same filters", async () => {
    expect(idsOf(await callers.D1.appointments.doctorMine({}))).toEqual(
      expectedIds((b) => b.doctor === "D1"),
    );
    expect(idsOf(await callers.D2.appointments.doctorMine({ when: "past" }))).toEqual(
      expectedIds((b) => b.doctor === "D2" && b.startsAt.getTime() < now(), "desc"),
    );
    const [event] = await file.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "appointment.list"), eq(auditEvents.actorId, users.D1.id)))
      .limit(1);
    // A doctor's view spans patients: no single patient to name.
    expect(event).toMatchObject({ patientId: null, details: { view: "doctor" } });
  });
});

describe("GET /appointments (STAFF, ADMIN)", () => {
  test("by doctor, by patient, or both", async () => {
    expect(idsOf(await callers.staff.appointments.list({ doctorId: ids.D2 }))).toEqual(
      expectedIds((b) => b.doctor === "D2"),
    );
    expect(idsOf(await callers.admin.appointments.list({ patientId: ids.Q }))).toEqual(
      expectedIds((b) => b.who === "Q"),
    );
    expect(
      idsOf(await callers.staff.appointments.list({ doctorId: ids.D1, patientId: ids.P, when: "upcoming" })),
    ).toEqual(expectedIds((b) => b.doctor === "D1" && b.who === "P" && b.startsAt.getTime() >= now()));
    const [event] = await file.db
      .select()
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.action, "appointment.list"),
          eq(auditEvents.patientId, ids.Q),
          eq(auditEvents.actorRole, "ADMIN"),
        ),
      )
      .limit(1);
    expect(event).toMatchObject({ details: { view: "all" } });
  });

  test("every role has its own view only (403)", async () => {
    expect(await code(callers.P.appointments.list({}))).toBe("FORBIDDEN");
    expect(await code(callers.D1.appointments.list({}))).toBe("FORBIDDEN");
    expect(await code(callers.D1.appointments.mine({}))).toBe("FORBIDDEN");
    expect(await code(callers.staff.appointments.mine({}))).toBe("FORBIDDEN");
    expect(await code(callers.admin.appointments.doctorMine({}))).toBe("FORBIDDEN");
  });
});

describe("bad input is 400", () => {
  test("reversed range, tampered or foreign cursor, page size, statuses", async () => {
    const first = await callers.P.appointments.mine({ limit: 1 });
    const cursor = first.nextCursor ?? "";
    const tampered = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(cursor, "base64url").toString()), v: "yesterday" }),
    ).toString("base64url");
    const at = new Date();
    const bad = [
      callers.P.appointments.mine({ from: at, to: at }),
      callers.P.appointments.mine({ cursor: tampered }),
      callers.P.appointments.mine({ cursor: "not-a-cursor" }),
      // A cursor of the ascending list, sent for the descending one.
      callers.P.appointments.mine({ cursor, when: "past" }),
      callers.P.appointments.mine({ limit: 101 }),
      callers.P.appointments.mine({ status: [] }),
      // @ts-expect-error: not a status
      callers.P.appointments.mine({ status: ["DONE"] }),
      // @ts-expect-error: not a `when`
      callers.P.appointments.mine({ when: "soon" }),
      // @ts-expect-error: the patient's view takes no doctor filter
      callers.P.appointments.mine({ doctorId: ids.D1 }),
    ];
    expect(await Promise.all(bad.map(code))).toEqual(bad.map(() => "BAD_REQUEST"));
  });
});
