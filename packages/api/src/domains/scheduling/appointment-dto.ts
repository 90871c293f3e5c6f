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
import { asc, eq, inArray, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import { ZDoctorDto } from "#domains/doctors/public.ts";
import { ROLES } from "#platform/auth/roles.ts";
import type { FieldCipher } from "#platform/crypto/field-cipher.ts";
import { ZTimestamp } from "#platform/fields/fields.ts";
import { groupBy } from "#platform/group-by.ts";
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

const ZDetail = z.object({ ...identity, reason: ZReason, ...tail, history: z.array(ZHistoryEntry) });

/** The document's example of an appointment with its history (a patient's data export shows it too). */
export const appointmentDetailExample: z.infer<typeof ZDetail> = {
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
};

export const ZAppointmentDetail = named(ZDetail, "AppointmentDetail", {
  description: "An appointment with its `history`: the times it had before each reschedule, oldest first",
  example: appointmentDetailExample,
});

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

type SpecialtySummary = AppointmentSummary["doctor"]["specialties"][number];

/**
 * The doctor's specialties by name as one JSON value, a correlated lookup per row: a page's rows
 * carry them without a query of their own. Both drivers give JSON parsed; the shape is checked.
 */
const doctorSpecialtiesJson = sql<SpecialtySummary[]>`coalesce((
    select json_agg(json_build_object('id', ${specialties.id}, 'name', ${specialties.name}) order by ${specialties.name})
    from ${doctorSpecialties} join ${specialties} on ${eq(specialties.id, doctorSpecialties.specialtyId)}
    where ${eq(doctorSpecialties.doctorId, appointments.doctorId)}), '[]'::json)`.mapWith((value: unknown) =>
  ZAppointmentDoctor.shape.specialties.parse(value),
);

/** Both parties' names and the doctor's specialties, aliased apart: two tables have a first_name. */
const parties = {
  doctorFirstName: sql<string>`${doctorUsers.firstName}`.as("doctor_first_name"),
  doctorLastName: sql<string>`${doctorUsers.lastName}`.as("doctor_last_name"),
  doctorSpecialties: doctorSpecialtiesJson.as("doctor_specialties"),
  patientFirstName: sql<string>`${patientUsers.firstName}`.as("patient_first_name"),
  patientLastName: sql<string>`${patientUsers.lastName}`.as("patient_last_name"),
};

/**
 * Appointments with both parties' names and the doctor's specialties, in one query. Callers add
 * their WHERE (with `appointmentVisibleTo`), ORDER BY and LIMIT. Every output column has its own
 * name, so a list can read the query as a CTE (views.service.ts).
 */
export const selectAppointmentRows = (db: Executor) =>
  db
    .select({
      appointment: appointmentColumns,
      doctor: {
        firstName: parties.doctorFirstName,
        lastName: parties.doctorLastName,
        specialties: parties.doctorSpecialties,
      },
      patient: { firstName: parties.patientFirstName, lastName: parties.patientLastName },
    })
    .from(appointments)
    .innerJoin(doctors, eq(doctors.id, appointments.doctorId))
    .innerJoin(doctorUsers, eq(doctorUsers.id, doctors.userId))
    .innerJoin(patients, eq(patients.id, appointments.patientId))
    .innerJoin(patientUsers, eq(patientUsers.id, patients.userId));

export interface AppointmentRow {
  appointment: Pick<Appointment, keyof typeof appointmentColumns>;
  doctor: { firstName: string; lastName: string; specialties: SpecialtySummary[] };
  patient: { firstName: string; lastName: string };
}

function toSummary(
  cipher: FieldCipher,
  { appointment: a, doctor, patient }: AppointmentRow,
): AppointmentSummary {
  const { cancelledAt, cancelledBy, cancelledByRole } = a;
  return {
    id: a.id,
    doctor: { id: a.doctorId, ...doctor },
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
 * List items (no reason). A cancellation's reason is PHI: decrypting it is a read to audit, with
 * the page's ids. Throws AppointmentTextUnreadable for a value that does not decrypt.
 */
export function toAppointmentSummaries(cipher: FieldCipher, rows: AppointmentRow[]): AppointmentSummary[] {
  return rows.map((row) => toSummary(cipher, row));
}

/** Full DTOs with the reason decrypted: a PHI read the caller audits in its transaction. */
export function toAppointmentDtos(cipher: FieldCipher, rows: AppointmentRow[]): AppointmentDto[] {
  return rows.map((row) => {
    const { cancellation, createdAt, updatedAt, ...head } = toSummary(cipher, row);
    const { appointment: a } = row;
    const reason = openAppointmentText(cipher, a, "reason", a.reason);
    return { ...head, reason, cancellation, createdAt, updatedAt };
  });
}

/** The columns of an appointment's history, with the appointment they belong to. */
const historyColumns = {
  appointmentId: appointmentChanges.appointmentId,
  startsAt: appointmentChanges.startsAt,
  endsAt: appointmentChanges.endsAt,
  changedAt: appointmentChanges.changedAt,
  userId: appointmentChanges.changedBy,
  role: appointmentChanges.changedByRole,
};

/**
 * Full DTOs of `rows` with their history, oldest change first: one query for all of them (an
 * index range per appointment). The reason is decrypted: a PHI read the caller audits.
 */
export async function toAppointmentDetails(
  db: Executor,
  cipher: FieldCipher,
  rows: AppointmentRow[],
): Promise<AppointmentDetail[]> {
  if (rows.length === 0) return [];
  const changes = await db
    .select(historyColumns)
    .from(appointmentChanges)
    .where(
      inArray(
        appointmentChanges.appointmentId,
        rows.map((row) => row.appointment.id),
      ),
    )
    .orderBy(asc(appointmentChanges.appointmentId), asc(appointmentChanges.id));
  const history = groupBy(changes, (change) => change.appointmentId);
  return toAppointmentDtos(cipher, rows).map((dto) => ({
    ...dto,
    history: (history.get(dto.id) ?? []).map(({ appointmentId: _id, userId, role, ...times }) => ({
      ...times,
      changedBy: { userId, role },
    })),
  }));
}

/** One appointment's DTO with its history, oldest change first. */
export async function toAppointmentDetail(
  db: Executor,
  cipher: FieldCipher,
  row: AppointmentRow,
): Promise<AppointmentDetail> {
  const [detail] = await toAppointmentDetails(db, cipher, [row]);
  if (!detail) throw new Error("toAppointmentDetails returned nothing for one row");
  return detail;
}
