import { type Executor, pickColumns } from "@medical/db";
import {
  APPOINTMENT_STATUSES,
  type Appointment,
  appointmentChanges,
  appointments,
  doctorSpecialties,
  doctors,
  patients,
  specialties,
  users,
} from "@medical/db/schema";
import { asc, eq, inArray } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import { ZDoctorDto } from "#domains/doctors/public.ts";
import { ROLES } from "#platform/auth/roles.ts";
import type { FieldCipher } from "#platform/crypto/field-cipher.ts";
import { ZTimestamp } from "#platform/fields/fields.ts";
import { named } from "#platform/named.ts";
import { openAppointmentText } from "./appointment-phi.ts";

export const ZAppointmentStatus = z.enum(APPOINTMENT_STATUSES).meta({
  id: "AppointmentStatus",
  description: "SCHEDULED until it happens (COMPLETED), is missed (NO_SHOW) or is CANCELLED",
});

/** Who acted on an appointment: the account, and its role at the time. */
const ZAppointmentActor = z
  .object({ userId: z.uuid(), role: z.enum(ROLES) })
  .meta({ id: "AppointmentActor", description: "Who acted: their account and their role at the time" });

const ZAppointmentDoctor = z
  .object({
    id: z.uuid(),
    firstName: z.string(),
    lastName: z.string(),
    specialties: ZDoctorDto.shape.specialties,
  })
  .meta({ id: "AppointmentDoctor", description: "The doctor of an appointment" });

const ZAppointmentPatient = z
  .object({ id: z.uuid(), firstName: z.string(), lastName: z.string() })
  .meta({ id: "AppointmentPatient", description: "The patient of an appointment" });

const ZCancellation = z
  .object({
    by: ZAppointmentActor,
    reason: z.string().nullable().meta({ description: "Why, as the canceller wrote it (PHI)" }),
    at: ZTimestamp,
  })
  .meta({ id: "AppointmentCancellation", description: "Who cancelled the appointment, why and when" });

const ZReason = z.string().nullable().meta({
  description:
    "Why the patient comes, as written at booking (PHI: encrypted at rest, every read audited); the detail and the answers of booking and rescheduling carry it, list items do not",
});

const ZHistoryEntry = z
  .object({
    startsAt: ZTimestamp,
    endsAt: ZTimestamp,
    changedAt: ZTimestamp,
    changedBy: ZAppointmentActor,
  })
  .meta({
    id: "AppointmentChange",
    description: "Times the appointment had before a reschedule, who moved it and when",
  });

/** The fields in the order: `reason` sits between `status` and `cancellation`. */
const identity = {
  id: z.uuid(),
  doctor: ZAppointmentDoctor,
  patient: ZAppointmentPatient,
  startsAt: ZTimestamp,
  endsAt: ZTimestamp,
  timezone: z.string().meta({ description: "The doctor's IANA time zone: show local times in it" }),
  status: ZAppointmentStatus,
};
const tail = {
  cancellation: ZCancellation.nullable().meta({ description: "Null unless CANCELLED" }),
  createdAt: ZTimestamp,
  updatedAt: ZTimestamp,
};

export type AppointmentSummary = z.infer<typeof ZAppointmentSummary>;
export type AppointmentDto = z.infer<typeof ZAppointmentDto>;
export type AppointmentDetail = z.infer<typeof ZAppointmentDetail>;

const summaryExample = {
  id: "c4e8a2f6-3b7d-4a1e-9c5f-8d2b6e4a1f73",
  doctor: {
    id: "5b2f1c9e-8a4d-4e6b-9f3a-2c7d1e8b4a60",
    firstName: "Amina",
    lastName: "Benali",
    specialties: [{ id: "8c3e5a71-2b4f-4d9a-a6e8-0f1b7c2d5e93", name: "Cardiologie" }],
  },
  patient: { id: "3a9d6f2c-7e1b-4c5a-8d4f-6b2e9a1c7d05", firstName: "Yacine", lastName: "Haddad" },
  startsAt: new Date("2026-12-01T08:30:00.000Z"),
  endsAt: new Date("2026-12-01T09:00:00.000Z"),
  timezone: "Africa/Algiers",
  status: "SCHEDULED" as const,
  cancellation: null,
  createdAt: new Date("2026-11-20T17:45:00.000Z"),
  updatedAt: new Date("2026-11-20T17:45:00.000Z"),
};

/** A list item: the appointment without its reason (the detail route has it). */
export const ZAppointmentSummary = named(z.object({ ...identity, ...tail }), "AppointmentSummary", {
  description:
    "An appointment as lists show it: the doctor's and patient's summaries, UTC instants and the doctor's zone; no `reason`",
  example: summaryExample,
});

export const ZAppointmentDto = named(z.object({ ...identity, reason: ZReason, ...tail }), "Appointment", {
  description:
    "An appointment: `[startsAt, endsAt)` in UTC, `timezone` the doctor's, `reason` PHI (read audited)",
  example: { ...summaryExample, reason: "Douleurs thoraciques à l'effort depuis deux semaines" },
});

export const ZAppointmentDetail = named(
  z.object({ ...identity, reason: ZReason, ...tail, history: z.array(ZHistoryEntry) }),
  "AppointmentDetail",
  {
    description: "An appointment with its `history`: the times it had before each reschedule, oldest first",
    example: {
      ...summaryExample,
      reason: "Douleurs thoraciques à l'effort depuis deux semaines",
      history: [
        {
          startsAt: new Date("2026-11-28T09:00:00.000Z"),
          endsAt: new Date("2026-11-28T09:30:00.000Z"),
          changedAt: new Date("2026-11-25T10:12:00.000Z"),
          changedBy: { userId: "6f4b8e1d-3c7a-4f2e-9a5b-1d8c6e2f4a37", role: "PATIENT" },
        },
      ],
    },
  },
);

/** The appointment columns a DTO needs (and a list's keyset reads). */
export const appointmentColumns = pickColumns(appointments, [
  "id",
  "doctorId",
  "patientId",
  "startsAt",
  "endsAt",
  "timezone",
  "status",
  "reason",
  "cancelledBy",
  "cancelledByRole",
  "cancellationReason",
  "cancelledAt",
  "createdAt",
  "updatedAt",
]);

const doctorUsers = alias(users, "doctor_users");
const patientUsers = alias(users, "patient_users");

/**
 * Appointments joined to both parties' names: one query per page. Callers add their WHERE (with
 * `appointmentVisibleTo`), ORDER BY and LIMIT; `toAppointment…` then read the doctors' specialties
 * in one more query, whatever the page size.
 */
export const selectAppointmentRows = (db: Executor) =>
  db
    .select({
      appointment: appointmentColumns,
      doctor: { firstName: doctorUsers.firstName, lastName: doctorUsers.lastName },
      patient: { firstName: patientUsers.firstName, lastName: patientUsers.lastName },
    })
    .from(appointments)
    .innerJoin(doctors, eq(doctors.id, appointments.doctorId))
    .innerJoin(doctorUsers, eq(doctorUsers.id, doctors.userId))
    .innerJoin(patients, eq(patients.id, appointments.patientId))
    .innerJoin(patientUsers, eq(patientUsers.id, patients.userId));

export interface AppointmentRow {
  appointment: Pick<Appointment, keyof typeof appointmentColumns>;
  doctor: { firstName: string; lastName: string };
  patient: { firstName: string; lastName: string };
}

type SpecialtySummary = AppointmentSummary["doctor"]["specialties"][number];

/** The specialties of the page's doctors, by name, in one query. */
async function specialtiesOf(db: Executor, rows: AppointmentRow[]): Promise<Map<string, SpecialtySummary[]>> {
  const ids = [...new Set(rows.map((row) => row.appointment.doctorId))];
  const byDoctor = new Map<string, SpecialtySummary[]>(ids.map((id) => [id, []]));
  if (!ids.length) return byDoctor;
  const links = await db
    .select({ doctorId: doctorSpecialties.doctorId, id: specialties.id, name: specialties.name })
    .from(doctorSpecialties)
    .innerJoin(specialties, eq(specialties.id, doctorSpecialties.specialtyId))
    .where(inArray(doctorSpecialties.doctorId, ids))
    .orderBy(asc(specialties.name));
  for (const { doctorId, id, name } of links) byDoctor.get(doctorId)?.push({ id, name });
  return byDoctor;
}

function toSummary(
  cipher: FieldCipher,
  { appointment: a, doctor, patient }: AppointmentRow,
  specialtiesOfDoctor: SpecialtySummary[],
): AppointmentSummary {
  const { cancelledAt, cancelledBy, cancelledByRole } = a;
  return {
    id: a.id,
    doctor: { id: a.doctorId, ...doctor, specialties: specialtiesOfDoctor },
    patient: { id: a.patientId, ...patient },
    startsAt: a.startsAt,
    endsAt: a.endsAt,
    timezone: a.timezone,
    status: a.status,
    cancellation:
      cancelledAt && cancelledBy && cancelledByRole
        ? {
            by: { userId: cancelledBy, role: cancelledByRole },
            reason: openAppointmentText(cipher, a, "cancellation_reason", a.cancellationReason),
            at: cancelledAt,
          }
        : null,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

/**
 * List items for one page (2 queries in all with the page's own). A cancellation's reason is PHI:
 * decrypting it is a read to audit (`appointmentReadEvent`, with the page's ids). Throws
 * AppointmentTextUnreadable for a value that does not decrypt.
 */
export async function toAppointmentSummaries(
  db: Executor,
  cipher: FieldCipher,
  rows: AppointmentRow[],
): Promise<AppointmentSummary[]> {
  const byDoctor = await specialtiesOf(db, rows);
  return rows.map((row) => toSummary(cipher, row, byDoctor.get(row.appointment.doctorId) ?? []));
}

/** Full DTOs with the reason decrypted: a PHI read the caller audits in its transaction. */
export async function toAppointmentDtos(
  db: Executor,
  cipher: FieldCipher,
  rows: AppointmentRow[],
): Promise<AppointmentDto[]> {
  const byDoctor = await specialtiesOf(db, rows);
  return rows.map((row) => {
    const { cancellation, createdAt, updatedAt, ...head } = toSummary(
      cipher,
      row,
      byDoctor.get(row.appointment.doctorId) ?? [],
    );
    const { appointment: a } = row;
    const reason = openAppointmentText(cipher, a, "reason", a.reason);
    return { ...head, reason, cancellation, createdAt, updatedAt };
  });
}

/** One appointment's DTO with its history, oldest change first. */
export async function toAppointmentDetail(
  db: Executor,
  cipher: FieldCipher,
  row: AppointmentRow,
): Promise<AppointmentDetail> {
  const [dto] = await toAppointmentDtos(db, cipher, [row]);
  if (!dto) throw new Error("toAppointmentDtos returned nothing for one row");
  const changes = await db
    .select({
      startsAt: appointmentChanges.startsAt,
      endsAt: appointmentChanges.endsAt,
      changedAt: appointmentChanges.changedAt,
      userId: appointmentChanges.changedBy,
      role: appointmentChanges.changedByRole,
    })
    .from(appointmentChanges)
    .where(eq(appointmentChanges.appointmentId, row.appointment.id))
    .orderBy(asc(appointmentChanges.id));
  return {
    ...dto,
    history: changes.map(({ userId, role, ...times }) => ({ ...times, changedBy: { userId, role } })),
  };
}
