import { appointments, type User } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import { anonymous, newAccount, newDoctor, newPatient } from "#testing/access-callers.ts";
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

interface World {
  owner: User;
  patientId: string;
  doctor: BookableDoctorFixture;
  appointmentId: string;
  /** The appointment's start as stored now. */
  startsAt(): Promise<number | undefined>;
}

/**
 * The owner is a PATIENT with an appointment in two days with `doctor` (hours every day, 09:00 to
 * 12:00); the other patient has a profile of their own, the other doctor hours of their own.
 */
export const accessTable = defineAccessTable({
  domain: "scheduling",
  async world(deps): Promise<World> {
    const doctor = await doctorWithHours(deps);
    const { patient, user } = await makePatient(deps.db);
    const appointment = await makeAppointment(
      deps.db,
      { doctorId: doctor.doctor.id, patientId: patient.id, createdBy: user.id },
      {
        startsAt: doctor.at(2, "09:00"),
        endsAt: doctor.at(2, "09:30"),
        reason: "Contrôle",
        cipher: deps.fieldCipher,
      },
    );
    return {
      owner: user,
      patientId: patient.id,
      doctor,
      appointmentId: appointment.id,
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
    owner: async (deps, world) => (await signIn(deps, world.owner)).caller,
    otherSameRole: newPatient,
    doctor: async (deps, world) => (await signIn(deps, world.doctor.user)).caller,
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
  ],
});
