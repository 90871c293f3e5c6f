import { randomUUID } from "node:crypto";
import { type AppointmentStatus, appointments, type User } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import {
  anonymous,
  type KnowsAccounts,
  newAccount,
  newDoctor,
  newPatient,
  remembered,
} from "#testing/access-callers.ts";
import { defineAccessTable } from "#testing/access-table.ts";
import type { Caller } from "#testing/caller.ts";
import { makeAppointment } from "#testing/factories/appointments.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { type BookableDoctorFixture, doctorWithHours } from "#testing/scheduling.ts";
import { signIn } from "#testing/sign-in.ts";

/** Who sees an appointment: its patient, its doctor, STAFF and ADMIN; anyone else gets NOT_FOUND. */
const parties = {
  owner: "ok",
  otherSameRole: "NOT_FOUND",
  doctor: "ok",
  otherDoctor: "NOT_FOUND",
  staff: "ok",
  admin: "ok",
} as const;

interface World extends KnowsAccounts {
  owner: User;
  patientId: string;
  doctor: BookableDoctorFixture;
  appointmentId: string;
  /** A SCHEDULED appointment of theirs that started two days ago (to complete or mark missed). */
  startedId: string;
  /** The appointment's start as stored now. */
  startsAt(): Promise<number | undefined>;
  statusOf(id: string): Promise<AppointmentStatus | undefined>;
}

/** Checks a view listed exactly the world's two appointments to the caller holding `account`, and none to anyone else. */
async function listedFor(
  world: World,
  caller: Caller,
  account: User,
  listed: Promise<{ items: { id: string }[] }>,
): Promise<void> {
  const ids = (await listed).items.map((item) => item.id).sort();
  const own =
    world.accountOf.get(caller)?.id === account.id ? [world.appointmentId, world.startedId].sort() : [];
  if (ids.join() !== own.join()) throw new Error(`the view listed ${ids.join()} instead of ${own.join()}`);
}

/** Runs a status change and checks the row moved to `to` exactly when the change answered. */
async function changed(world: World, id: string, to: AppointmentStatus, change: Promise<unknown>) {
  const outcome = await change.then(
    () => undefined,
    (error: unknown) => error,
  );
  const moved = (await world.statusOf(id)) === to;
  if (moved === (outcome !== undefined)) throw new Error("the route answered one thing and did another");
  if (outcome !== undefined) throw outcome;
}

/**
 * The owner is a PATIENT with an appointment in two days with `doctor` (hours every day, 09:00 to
 * 12:00) and one that started two days ago; the other patient has a profile of their own, the
 * other doctor hours of their own. Each view shows a caller their own rows only (another patient
 * or doctor sees an empty list); STAFF and ADMIN list anyone's. A PATIENT asking for COMPLETED is
 * refused by role (403) whatever the row.
 */
export const accessTable = defineAccessTable({
  domain: "scheduling",
  async world(deps): Promise<World> {
    const doctor = await doctorWithHours(deps);
    const { patient, user } = await makePatient(deps.db);
    const appointment = await makeAppointment(deps.db, {
      doctorId: doctor.doctor.id,
      patientId: patient.id,
      createdBy: user.id,
      startsAt: doctor.at(2, "09:00"),
      endsAt: doctor.at(2, "09:30"),
      reason: "Contrôle",
      cipher: deps.fieldCipher,
    });
    const started = await makeAppointment(deps.db, {
      doctorId: doctor.doctor.id,
      patientId: patient.id,
      createdBy: user.id,
      startsAt: doctor.at(-2, "09:00"),
      endsAt: doctor.at(-2, "09:30"),
    });
    return {
      owner: user,
      patientId: patient.id,
      doctor,
      appointmentId: appointment.id,
      startedId: started.id,
      accountOf: new Map(),
      async statusOf(id) {
        const [row] = await deps.db
          .select({ status: appointments.status })
          .from(appointments)
          .where(eq(appointments.id, id));
        return row?.status;
      },
      async startsAt() {
        const [row] = await deps.db
          .select({ startsAt: appointments.startsAt })
          .from(appointments)
          .where(eq(appointments.id, appointment.id));
        return row?.startsAt.getTime();
      },
    };
  },
  callers: {
    anonymous,
    owner: remembered((deps, world) => signIn(deps, world.owner)),
    otherSameRole: newPatient,
    doctor: remembered((deps, world) => signIn(deps, world.doctor.user)),
    otherDoctor: newDoctor,
    staff: newAccount("STAFF"),
    admin: newAccount("ADMIN"),
  },
  cases: [
    {
      procedure: "availability.slots",
      call: (caller, world) => {
        const date = world.doctor.iso(3, "09:00").slice(0, 10);
        return caller.availability.slots({ id: world.doctor.doctor.id, from: date, to: date });
      },
      expect: {
        anonymous: "ok",
        owner: "ok",
        otherSameRole: "ok",
        doctor: "ok",
        otherDoctor: "ok",
        staff: "ok",
        admin: "ok",
      },
    },
    {
      procedure: "appointments.book",
      name: "for the owner: the owner themselves, STAFF, ADMIN; another patient is refused",
      call: (caller, world) =>
        caller.appointments.book({
          doctorId: world.doctor.doctor.id,
          startsAt: world.doctor.iso(3, "10:00"),
          patientId: world.patientId,
        }),
      expect: { owner: "ok", staff: "ok", admin: "ok" },
    },
    {
      procedure: "appointments.book",
      name: "without patientId: a patient for themselves; STAFF and ADMIN must name one",
      call: (caller, world) =>
        caller.appointments.book({
          doctorId: world.doctor.doctor.id,
          startsAt: world.doctor.iso(3, "10:00"),
        }),
      expect: { owner: "ok", otherSameRole: "ok", staff: "BAD_REQUEST", admin: "BAD_REQUEST" },
    },
    {
      procedure: "appointments.get",
      async call(caller, world) {
        const detail = await caller.appointments.get({ id: world.appointmentId });
        if (detail.reason !== "Contrôle") throw new Error("GET /appointments/{id} lost the reason");
      },
      expect: parties,
    },
    {
      procedure: "appointments.get",
      name: "an id that does not exist",
      call: (caller) => caller.appointments.get({ id: crypto.randomUUID() }),
      expect: {
        owner: "NOT_FOUND",
        otherSameRole: "NOT_FOUND",
        doctor: "NOT_FOUND",
        otherDoctor: "NOT_FOUND",
        staff: "NOT_FOUND",
        admin: "NOT_FOUND",
      },
    },
    ...(["reschedule", "rescheduleByPost"] as const).map((procedure) => ({
      procedure: `appointments.${procedure}`,
      name: "moves the appointment only when allowed",
      async call(caller: Caller, world: World) {
        const target = world.doctor.at(3, "11:00");
        const outcome = await caller.appointments[procedure]({
          id: world.appointmentId,
          startsAt: target.toISOString(),
        }).then(
          () => undefined,
          (error: unknown) => error,
        );
        const moved = (await world.startsAt()) === target.getTime();
        if (moved === (outcome !== undefined))
          throw new Error(`${procedure} answered one thing and did another`);
        if (outcome !== undefined) throw outcome;
      },
      expect: parties,
    })),
    {
      procedure: "appointments.mine",
      name: "a patient's own appointments only",
      call: (caller, world) => listedFor(world, caller, world.owner, caller.appointments.mine({})),
      expect: { owner: "ok", otherSameRole: "ok" },
    },
    {
      procedure: "appointments.doctorMine",
      name: "a doctor's own appointments only",
      call: (caller, world) =>
        listedFor(world, caller, world.doctor.user, caller.appointments.doctorMine({})),
      expect: { doctor: "ok", otherDoctor: "ok" },
    },
    {
      procedure: "appointments.list",
      name: "anyone's, for STAFF and ADMIN",
      async call(caller, world) {
        const page = await caller.appointments.list({ patientId: world.patientId });
        const ids = page.items.map((item) => item.id).sort();
        if (ids.join() !== [world.appointmentId, world.startedId].sort().join())
          throw new Error("GET /appointments?patientId= listed other rows");
      },
      expect: { staff: "ok", admin: "ok" },
    },
    {
      procedure: "appointments.setStatus",
      name: "COMPLETED: its doctor, STAFF, ADMIN; a patient never",
      call: (caller, world) =>
        changed(
          world,
          world.startedId,
          "COMPLETED",
          caller.appointments.setStatus({ id: world.startedId, status: "COMPLETED" }),
        ),
      expect: { ...parties, owner: "FORBIDDEN", otherSameRole: "FORBIDDEN" },
    },
    {
      procedure: "appointments.setStatus",
      name: "CANCELLED",
      call: (caller, world) =>
        changed(
          world,
          world.appointmentId,
          "CANCELLED",
          caller.appointments.setStatus({ id: world.appointmentId, status: "CANCELLED" }),
        ),
      expect: parties,
    },
    {
      procedure: "appointments.setStatus",
      name: "an id that does not exist",
      call: (caller) => caller.appointments.setStatus({ id: randomUUID(), status: "CANCELLED" }),
      expect: {
        owner: "NOT_FOUND",
        otherSameRole: "NOT_FOUND",
        doctor: "NOT_FOUND",
        otherDoctor: "NOT_FOUND",
        staff: "NOT_FOUND",
        admin: "NOT_FOUND",
      },
    },
    {
      procedure: "appointments.cancel",
      call: (caller, world) =>
        changed(
          world,
          world.appointmentId,
          "CANCELLED",
          caller.appointments.cancel({ id: world.appointmentId, reason: "Empêchement" }),
        ),
      expect: parties,
    },
  ],
});
