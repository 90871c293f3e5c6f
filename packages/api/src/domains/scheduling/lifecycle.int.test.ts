import {
  APPOINTMENT_STATUSES,
  type AppointmentStatus,
  appointments,
  auditEvents,
  domainEvents,
  type User,
} from "@medical/db/schema";
import { and, desc, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, test } from "vitest";
import type { AuditMeta } from "#platform/audit/audit.ts";
import type { Role } from "#platform/auth/roles.ts";
import type { DomainEvents } from "#platform/events/event-bus.ts";
import type { Caller } from "#testing/caller.ts";
import { makeAppointment } from "#testing/factories/appointments.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { outcome, outcomes, tally } from "#testing/race.ts";
import { signIn, signInAs } from "#testing/sign-in.ts";
import { changeStatus } from "./lifecycle.service.ts";
import { TARGET_STATUSES, type TargetStatus } from "./transitions.ts";

const file = useFileDeps();
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

interface Party {
  user: User;
  caller: Caller;
}
let doctorId: string;
let patientId: string;
let as: Record<Role, Party>;

beforeAll(async () => {
  const { doctor, user: doctorUser } = await makeDoctor(file.db);
  const { patient, user: patientUser } = await makePatient(file.db);
  doctorId = doctor.id;
  patientId = patient.id;
  const staff = await signInAs(file.deps, "STAFF");
  const admin = await signInAs(file.deps, "ADMIN");
  as = {
    PATIENT: await signIn(file.deps, patientUser),
    DOCTOR: await signIn(file.deps, doctorUser),
    STAFF: staff,
    ADMIN: admin,
  };
});

/** Each appointment takes an hour of its own, so none overlaps another of the same two parties. */
let hour = 0;

/** An appointment of the file's patient and doctor, in `status`, that has started or not. */
async function appointment(status: AppointmentStatus, started: boolean) {
  hour += 1;
  const base = Date.now() + (started ? -30 : 30) * DAY_MS;
  const cancelled =
    status === "CANCELLED"
      ? { cancelledBy: as.DOCTOR.user.id, cancelledByRole: "DOCTOR" as const, cancelledAt: new Date() }
      : {};
  return makeAppointment(file.db, {
    doctorId,
    patientId,
    createdBy: as.PATIENT.user.id,
    startsAt: new Date(base + hour * HOUR_MS),
    status,
    ...cancelled,
  });
}

async function statusOf(id: string): Promise<AppointmentStatus | undefined> {
  const [row] = await file.db
    .select({ status: appointments.status })
    .from(appointments)
    .where(eq(appointments.id, id));
  return row?.status;
}

/** The table, written out: "ROLE FROM→TO before|after" for every move that succeeds. */
const ALLOWED = new Set([
  ...["DOCTOR", "STAFF", "ADMIN"].flatMap((role) => [
    `${role} SCHEDULED→COMPLETED after`,
    `${role} SCHEDULED→NO_SHOW after`,
    `${role} SCHEDULED→CANCELLED before`,
    `${role} SCHEDULED→CANCELLED after`,
  ]),
  "PATIENT SCHEDULED→CANCELLED before",
]);

/** What a refused move answers: a PATIENT asking for anything but CANCELLED is refused by role. */
function expected(role: Role, from: AppointmentStatus, to: TargetStatus, when: "before" | "after") {
  if (ALLOWED.has(`${role} ${from}→${to} ${when}`)) return "ok";
  return role === "PATIENT" && to !== "CANCELLED" ? "FORBIDDEN" : "INVALID_TRANSITION";
}

const ROLES_OF_THE_APPOINTMENT: Role[] = ["PATIENT", "DOCTOR", "STAFF", "ADMIN"];
const table = ROLES_OF_THE_APPOINTMENT.flatMap((role) =>
  APPOINTMENT_STATUSES.flatMap((from) =>
    TARGET_STATUSES.flatMap((to) => (["before", "after"] as const).map((when) => ({ role, from, to, when }))),
  ),
);

describe("every transition, allowed and refused (its patient, its doctor, STAFF, ADMIN)", () => {
  test.each(table)("PATCH …/status $role: $from → $to, $when the start", async ({ role, from, to, when }) => {
    const row = await appointment(from, when === "after");
    const answer = await outcome(as[role].caller.appointments.setStatus({ id: row.id, status: to }));
    const want = expected(role, from, to, when);
    expect(answer).toBe(want);
    expect(await statusOf(row.id)).toBe(want === "ok" ? to : from);
  });

  test.each(table.filter((c) => c.to === "CANCELLED"))(
    "POST …/cancel $role: $from, $when the start",
    async ({ role, from, when }) => {
      const row = await appointment(from, when === "after");
      const answer = await outcome(as[role].caller.appointments.cancel({ id: row.id }));
      expect(answer).toBe(expected(role, from, "CANCELLED", when));
    },
  );
});

describe("a cancellation", () => {
  test("records who cancelled (account and role at the time), when, and the reason encrypted", async () => {
    const row = await appointment("SCHEDULED", false);
    const before = Date.now();
    const dto = await as.PATIENT.caller.appointments.cancel({
      id: row.id,
      reason: "  Empêchement familial ",
    });
    expect(dto).toMatchObject({
      id: row.id,
      status: "CANCELLED",
      cancellation: { by: { userId: as.PATIENT.user.id, role: "PATIENT" }, reason: "Empêchement familial" },
    });
    expect(dto.cancellation?.at.getTime()).toBeGreaterThanOrEqual(before);
    expect(dto.updatedAt).toEqual(dto.cancellation?.at);
    const [stored] = await file.db.select().from(appointments).where(eq(appointments.id, row.id));
    expect(stored).toMatchObject({ cancelledBy: as.PATIENT.user.id, cancelledByRole: "PATIENT" });
    expect(stored?.cancellationReason).toBeTruthy();
    expect(stored?.cancellationReason).not.toContain("Empêchement");
  });

  test("without a reason, records a null reason; through PATCH …/status as well", async () => {
    const row = await appointment("SCHEDULED", true);
    const dto = await as.STAFF.caller.appointments.setStatus({ id: row.id, status: "CANCELLED" });
    expect(dto.cancellation).toMatchObject({ by: { userId: as.STAFF.user.id, role: "STAFF" }, reason: null });
  });

  test("frees the time: the same doctor and patient can book it again", async () => {
    const row = await appointment("SCHEDULED", false);
    await as.DOCTOR.caller.appointments.cancel({ id: row.id });
    const again = await makeAppointment(file.db, {
      doctorId,
      patientId,
      createdBy: as.PATIENT.user.id,
      startsAt: row.startsAt,
    });
    expect(again.status).toBe("SCHEDULED");
  });

  test("is audited (whether a reason was given, never its text) and written to the outbox with the change", async () => {
    const row = await appointment("SCHEDULED", false);
    const heard: DomainEvents["appointment.cancelled"][] = [];
    const stop = file.deps.events.subscribe("appointment.cancelled", (event) => heard.push(event));
    await as.DOCTOR.caller.appointments.cancel({ id: row.id, reason: "Congrès médical" });
    stop();
    const event = { v: 1, appointmentId: row.id, doctorId, patientId, actorId: as.DOCTOR.user.id };
    expect(heard).toEqual([event]);
    const outbox = await file.db
      .select()
      .from(domainEvents)
      .where(sql`${domainEvents.payload}->>'appointmentId' = ${row.id}`);
    expect(outbox).toMatchObject([
      { type: "appointment.cancelled", actorId: as.DOCTOR.user.id, payload: event },
    ]);
    const audited = await file.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.targetId, row.id))
      .orderBy(auditEvents.id);
    expect(audited).toMatchObject([
      {
        action: "appointment.cancelled",
        outcome: "SUCCESS",
        actorId: as.DOCTOR.user.id,
        actorRole: "DOCTOR",
        patientId,
        details: { from: "SCHEDULED", to: "CANCELLED", doctorId, withReason: true },
      },
      { action: "appointment.read", outcome: "SUCCESS", patientId },
    ]);
    expect(JSON.stringify(audited)).not.toContain("Congrès");
  });
});

describe("COMPLETED and NO_SHOW", () => {
  test("write appointment.status_changed with the change, and an audit event", async () => {
    const row = await appointment("SCHEDULED", true);
    await as.DOCTOR.caller.appointments.setStatus({ id: row.id, status: "NO_SHOW" });
    const [event] = await file.db
      .select()
      .from(domainEvents)
      .where(sql`${domainEvents.payload}->>'appointmentId' = ${row.id}`);
    expect(event).toMatchObject({
      type: "appointment.status_changed",
      payload: { v: 1, appointmentId: row.id, from: "SCHEDULED", to: "NO_SHOW", actorId: as.DOCTOR.user.id },
    });
    const [audit] = await file.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, row.id), eq(auditEvents.action, "appointment.status_changed")));
    expect(audit).toMatchObject({ outcome: "SUCCESS", details: { from: "SCHEDULED", to: "NO_SHOW" } });
  });

  test("not before the start, as the injected clock tells it", async () => {
    const startsAt = new Date("2031-03-10T09:00:00.000Z");
    const row = await makeAppointment(file.db, {
      doctorId,
      patientId,
      createdBy: as.PATIENT.user.id,
      startsAt,
    });
    const meta: AuditMeta = {
      actor: { userId: as.DOCTOR.user.id, role: "DOCTOR" },
      requestId: "clock-test",
      origin: { ip: null, userAgent: null },
    };
    const at = (iso: string) => ({ ...file.deps, clock: { now: () => new Date(iso) } });
    const actor = { userId: as.DOCTOR.user.id, role: "DOCTOR" } as const;
    await expect(
      changeStatus(at("2031-03-10T08:59:59.999Z"), meta, actor, row.id, { status: "COMPLETED" }),
    ).rejects.toMatchObject({ code: "INVALID_TRANSITION" });
    const done = await changeStatus(at("2031-03-10T09:00:00.000Z"), meta, actor, row.id, {
      status: "COMPLETED",
    });
    expect(done).toMatchObject({ status: "COMPLETED", updatedAt: new Date("2031-03-10T09:00:00.000Z") });
  });
});

describe("refusals", () => {
  test("another patient's or an unrelated doctor's appointment is NOT_FOUND, and the attempt is audited", async () => {
    const row = await appointment("SCHEDULED", false);
    const stranger = await signIn(file.deps, (await makePatient(file.db)).user);
    const otherDoctor = await signIn(file.deps, (await makeDoctor(file.db)).user);
    expect(await outcome(stranger.caller.appointments.cancel({ id: row.id }))).toBe("NOT_FOUND");
    expect(
      await outcome(otherDoctor.caller.appointments.setStatus({ id: row.id, status: "CANCELLED" })),
    ).toBe("NOT_FOUND");
    expect(await statusOf(row.id)).toBe("SCHEDULED");
    const denied = await file.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, row.id), eq(auditEvents.outcome, "DENIED")));
    expect(denied.map((event) => [event.actorId, event.details])).toEqual([
      [stranger.user.id, { to: "CANCELLED", reason: "not_visible" }],
      [otherDoctor.user.id, { to: "CANCELLED", reason: "not_visible" }],
    ]);
    // A refusal names no patient: the caller may not know of one.
    expect(denied.map((event) => event.patientId)).toEqual([null, null]);
  });

  test("an invalid transition is audited with the state it met", async () => {
    const row = await appointment("COMPLETED", true);
    expect(await outcome(as.ADMIN.caller.appointments.cancel({ id: row.id }))).toBe("INVALID_TRANSITION");
    const [denied] = await file.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.targetId, row.id))
      .orderBy(desc(auditEvents.id));
    expect(denied).toMatchObject({
      action: "appointment.cancelled",
      outcome: "DENIED",
      patientId,
      details: { from: "COMPLETED", to: "CANCELLED", reason: "final" },
    });
  });

  test("bad input is 400: SCHEDULED as a target, a reason beyond 500 characters or with COMPLETED", async () => {
    const row = await appointment("SCHEDULED", true);
    const caller = as.DOCTOR.caller.appointments;
    const bad: unknown[] = [
      { id: row.id, status: "SCHEDULED" },
      { id: row.id, status: "COMPLETED", reason: "Vu" },
      { id: row.id, status: "CANCELLED", reason: "x".repeat(501) },
      { id: "not-a-uuid", status: "CANCELLED" },
      { id: row.id, status: "CANCELLED", extra: true },
    ];
    for (const input of bad) {
      // @ts-expect-error: the point is input the schema refuses
      expect(await outcome(caller.setStatus(input))).toBe("VALIDATION_FAILED");
    }
    expect(await outcome(caller.cancel({ id: row.id, reason: "x".repeat(501) }))).toBe("VALIDATION_FAILED");
    expect(await statusOf(row.id)).toBe("SCHEDULED");
    expect(await outcome(caller.cancel({ id: row.id, reason: "x".repeat(500) }))).toBe("ok");
  });
});

describe("concurrent transitions", () => {
  test("on one appointment, exactly one wins; the others meet its status (409), one event in all", async () => {
    const row = await appointment("SCHEDULED", true);
    const attempts = [
      as.DOCTOR.caller.appointments.setStatus({ id: row.id, status: "COMPLETED" }),
      as.STAFF.caller.appointments.setStatus({ id: row.id, status: "NO_SHOW" }),
      as.ADMIN.caller.appointments.cancel({ id: row.id }),
      as.DOCTOR.caller.appointments.cancel({ id: row.id, reason: "Urgence" }),
      as.STAFF.caller.appointments.setStatus({ id: row.id, status: "COMPLETED" }),
      as.ADMIN.caller.appointments.setStatus({ id: row.id, status: "NO_SHOW" }),
    ];
    expect(tally(await outcomes(attempts))).toEqual({ INVALID_TRANSITION: attempts.length - 1, ok: 1 });
    const events = await file.db
      .select({ type: domainEvents.type })
      .from(domainEvents)
      .where(sql`${domainEvents.payload}->>'appointmentId' = ${row.id}`);
    expect(events).toHaveLength(1);
    const [stored] = await file.db.select().from(appointments).where(eq(appointments.id, row.id));
    expect(stored?.status).not.toBe("SCHEDULED");
    expect(stored?.cancelledAt !== null).toBe(stored?.status === "CANCELLED");
  });
});
