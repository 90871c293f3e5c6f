import {
  type AppErrorCode,
  type AuditMeta,
  addDays,
  addHistoryNote,
  createClinicalRecord,
  localDateIn,
  updateRecord,
} from "@medical/api";
import { appointments, doctors, medicalRecords, patients } from "@medical/db/schema";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import {
  clinicalTemplate,
  clinicalText,
  HISTORY_NOTE_ADDENDUM,
  HISTORY_NOTES,
  RESULTS_ADDENDUM,
} from "../data/records.ts";
import type { SeedDeps } from "../operator.ts";
import { numberOf } from "../random.ts";
import { type DemoData, MINOR_BORN_FROM } from "./build.ts";
import { unlessRefused } from "./unless-refused.ts";
import { fixed } from "./visits.ts";

const DAY_MS = 86_400_000;
/** Patients who write a note in their own file: the README's patient and the next few adults. */
const NOTE_WRITERS = 5;

/** What the records part of the demo wrote: each a total wanted and how many this run created. */
export interface RecordsResult {
  /** One clinical record per completed visit, by the visit's doctor. */
  clinical: { total: number; created: number };
  /** Patients' own history notes. */
  notes: { total: number; created: number };
  /** The edits that give a record, and a note, a second version. */
  edits: { total: number; created: number };
}

/**
 * What the records services answer when a demo account changed since the seed made it (a
 * deactivated profile, another role, a care relationship ended, a record edited or deleted
 * meanwhile): that record or edit is skipped.
 */
const CHANGED_SINCE = new Set<AppErrorCode>([
  "FORBIDDEN",
  "NOT_FOUND",
  "PROFILE_REQUIRED",
  "CONFLICT",
  "STALE_VERSION",
]);

const unlessChanged = <T>(work: () => Promise<T>) => unlessRefused(CHANGED_SINCE, work);

interface Visit {
  appointmentId: string;
  patientId: string;
  endsAt: Date;
  timezone: string;
  doctorUserId: string;
  patientUserId: string;
  recorded: boolean;
}

/** The demo pairs' completed visits, oldest first, and whether a record names each already. */
function completedVisits(deps: SeedDeps, userIds: string[]): Promise<Visit[]> {
  return deps.db
    .select({
      appointmentId: appointments.id,
      patientId: appointments.patientId,
      endsAt: appointments.endsAt,
      timezone: doctors.timezone,
      doctorUserId: doctors.userId,
      patientUserId: patients.userId,
      recorded: sql<boolean>`exists (select 1 from ${medicalRecords} where ${medicalRecords.appointmentId} = ${appointments.id})`,
    })
    .from(appointments)
    .innerJoin(doctors, eq(doctors.id, appointments.doctorId))
    .innerJoin(patients, eq(patients.id, appointments.patientId))
    .where(
      and(
        eq(appointments.status, "COMPLETED"),
        inArray(doctors.userId, userIds),
        inArray(patients.userId, userIds),
      ),
    )
    .orderBy(asc(appointments.endsAt), asc(appointments.id));
}

/**
 * What the visit's doctor writes: a record of their first specialty that fits the patient, chosen
 * by the pair (the same on every run), with a follow-up date counted from the visit's day in the
 * doctor's zone.
 */
function recordOf(demo: DemoData, emails: Map<string, string>, visit: Visit) {
  const doctorEmail = emails.get(visit.doctorUserId) ?? "";
  const patientEmail = emails.get(visit.patientUserId) ?? "";
  const doctor = demo.doctors.find((d) => d.user.email === doctorEmail);
  const patient = demo.patients.find((p) => p.user.email === patientEmail);
  const template = clinicalTemplate(
    doctor?.specialties[0] ?? null,
    numberOf(`${doctorEmail}/${patientEmail}`),
    {
      sex: patient?.profile.sex ?? "UNKNOWN",
      minor: (patient?.profile.dateOfBirth ?? "") >= MINOR_BORN_FROM,
    },
  );
  const day = localDateIn(visit.timezone, visit.endsAt);
  return {
    template,
    input: {
      patientId: visit.patientId,
      appointmentId: visit.appointmentId,
      ...clinicalText(template),
      ...(template.followUpDays === null ? {} : { followUpDate: addDays(day, template.followUpDays) }),
    },
  };
}

/** The day `daysAgo` days before `today`, at 19:00 UTC (an evening at home, in Algiers). */
const eveningOf = (today: Date, daysAgo: number) =>
  new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - daysAgo, 19));

/**
 * The demo's medical records, through the records services, each as its author with a clock of
 * the time it was written:
 * - a clinical record for every completed visit between demo accounts, by the visit's doctor at
 *   the visit's end, about that appointment (the record's natural key: a visit with a record, even
 *   a deleted one, gets no other);
 * - a history note in the file of the README's patient and the next adults, weeks before the run
 *   (a patient with a note of their own gets no other);
 * - two edits, so versions exist, made when the seed writes what they edit: the README's doctor
 *   adds results to the README's patient's visit record three days after the visit, and that
 *   patient adds a detail to their note two days after writing it.
 * A second run writes nothing.
 */
export async function ensureRecords(
  deps: SeedDeps,
  audit: AuditMeta,
  demo: DemoData,
  userIds: Map<string, string>,
): Promise<RecordsResult> {
  const emails = new Map([...userIds].map(([email, id]) => [id, email]));
  const readmeDoctor = userIds.get(demo.signIn.DOCTOR);
  const readmePatient = userIds.get(demo.signIn.PATIENT);
  const visits = await completedVisits(deps, [...userIds.values()]);
  const result: RecordsResult = {
    clinical: { total: visits.length, created: 0 },
    notes: { total: 0, created: 0 },
    edits: { total: 2, created: 0 },
  };
  for (const visit of visits) {
    if (visit.recorded) continue;
    const { template, input } = recordOf(demo, emails, visit);
    const doctor = { userId: visit.doctorUserId, role: "DOCTOR" } as const;
    const written = await unlessChanged(() =>
      createClinicalRecord({ ...deps, clock: fixed(visit.endsAt) }, audit, doctor, input),
    );
    if (!written) continue;
    result.clinical.created += 1;
    if (visit.doctorUserId !== readmeDoctor || visit.patientUserId !== readmePatient) continue;
    const edited = await unlessChanged(() =>
      updateRecord({ ...deps, clock: fixed(new Date(visit.endsAt.getTime() + 3 * DAY_MS)) }, audit, doctor, {
        id: written.id,
        version: written.version,
        clinicalNotes: `${template.clinicalNotes} ${RESULTS_ADDENDUM}`,
      }),
    );
    if (edited) result.edits.created += 1;
  }

  const today = deps.clock.now();
  const writers = [
    demo.signIn.PATIENT,
    ...demo.patients
      .filter((p) => p.profile.dateOfBirth < MINOR_BORN_FROM && p.user.email !== demo.signIn.PATIENT)
      .map((p) => p.user.email),
  ]
    .slice(0, NOTE_WRITERS)
    .flatMap((email) => userIds.get(email) ?? []);
  const withNotes = new Set(
    (
      await deps.db
        .select({ userId: patients.userId })
        .from(medicalRecords)
        .innerJoin(patients, eq(patients.id, medicalRecords.patientId))
        .where(and(eq(medicalRecords.kind, "PATIENT_REPORTED"), inArray(patients.userId, writers)))
    ).map((row) => row.userId),
  );
  result.notes.total = writers.length;
  for (const [index, userId] of writers.entries()) {
    if (withNotes.has(userId)) continue;
    const note = HISTORY_NOTES[index % HISTORY_NOTES.length] ?? "";
    const writtenAt = eveningOf(today, 30 + 7 * index);
    const patient = { userId, role: "PATIENT" } as const;
    const written = await unlessChanged(() =>
      addHistoryNote({ ...deps, clock: fixed(writtenAt) }, audit, patient, note),
    );
    if (!written) continue;
    result.notes.created += 1;
    if (userId !== readmePatient) continue;
    const edited = await unlessChanged(() =>
      updateRecord({ ...deps, clock: fixed(new Date(writtenAt.getTime() + 2 * DAY_MS)) }, audit, patient, {
        id: written.id,
        version: written.version,
        note: `${note}${HISTORY_NOTE_ADDENDUM}`,
      }),
    );
    if (edited) result.edits.created += 1;
  }
  return result;
}
