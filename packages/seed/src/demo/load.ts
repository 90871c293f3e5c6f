import {
  type AppErrorCode,
  type AuditMeta,
  addDays,
  createException,
  createRule,
  type EnsuredAccount,
  ensureAccount,
  localDateIn,
  saveReview,
  writeDoctorProfile,
  writePatientProfile,
} from "@medical/api";
import {
  type AppointmentStatus,
  availabilityExceptions,
  availabilityRules,
  doctors,
  patients,
  reviews,
} from "@medical/db/schema";
import { eq, inArray } from "drizzle-orm";
import type { OperatorDeps, SeedDeps } from "../operator.ts";
import { ensureSpecialties } from "../specialties.ts";
import { daysToNextFriday, demoAvailability } from "./availability.ts";
import { ensureBilling } from "./billing.ts";
import {
  buildDemoData,
  DEMO_PASSWORD,
  type DemoData,
  type DemoDoctor,
  type DemoPatient,
  type DemoReview,
} from "./build.ts";
import { ensureRecords } from "./records.ts";
import { unlessRefused } from "./unless-refused.ts";
import { type DemoAppointment, ensureAppointments } from "./visits.ts";

export interface Tally {
  total: number;
  created: number;
}

export interface DemoResult {
  specialties: Tally;
  doctors: Tally;
  patients: Tally;
  staff: Tally;
  reviews: Tally;
  /** Doctors given their weekly hours and exceptions. */
  availability: Tally;
  /** Doctor–patient pairs given a completed past visit (every review's, and the README's pair). */
  visits: Tally;
  /** Upcoming, cancelled and missed appointments of a few doctors and the README's patient. */
  appointments: Tally;
  /** A clinical record of every completed visit, by its doctor (demo/records.ts). */
  records: Tally;
  /** History notes patients wrote in their own file. */
  historyNotes: Tally;
  /** Edits that gave a record and a note a second version. */
  recordEdits: Tally;
  /** A bill of every completed visit, issued by the front desk (demo/billing.ts). */
  billingEntries: Tally;
  insurancePolicies: Tally;
  /** Insurance claims for bills, submitted by the run's time. */
  insuranceClaims: Tally;
}

/** A demo doctor's account with its profile and specialties, written by the doctors service. */
function ensureDoctor(deps: OperatorDeps, audit: AuditMeta, demo: DemoDoctor, specialtyIds: string[]) {
  const { feeAmountMinor, ...profile } = demo.profile;
  return ensureAccount(
    deps,
    audit,
    { ...demo.user, password: DEMO_PASSWORD, role: "DOCTOR", via: "seed" },
    writeDoctorProfile({ ...profile, fee: { amountMinor: feeAmountMinor, currency: "DZD" }, specialtyIds }),
  );
}

/** A demo patient's account with its profile (no clinical fields), written by the patients service. */
function ensurePatient(deps: OperatorDeps, audit: AuditMeta, demo: DemoPatient) {
  const { emergencyContactName, emergencyContactRelation, emergencyContactPhone, ...profile } = demo.profile;
  return ensureAccount(
    deps,
    audit,
    { ...demo.user, password: DEMO_PASSWORD, role: "PATIENT", via: "seed" },
    writePatientProfile(deps, {
      ...profile,
      emergencyContact: {
        name: emergencyContactName,
        relation: emergencyContactRelation,
        phone: emergencyContactPhone,
      },
    }),
  );
}

/** Dated back from the run: the reviews are as old on any machine, whatever its year. */
function writtenAt(today: Date, { daysAgo, minuteOfDay }: DemoReview): Date {
  const day = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - daysAgo);
  return new Date(day + minuteOfDay * 60_000);
}

/** When the README's patient last saw the README's doctor, in days before the run. */
const SIGN_IN_VISIT_DAYS_AGO = 14;

/**
 * The past visits the demo needs: one before each review (the reviews service requires a completed
 * visit), and one of the README's patient to the README's doctor, whom the README reviews and who
 * then treats that patient. One per pair, before the pair's earliest review.
 */
function demoVisits(demo: DemoData, today: Date): DemoAppointment[] {
  const visits = new Map<string, DemoAppointment>();
  const want = (doctorEmail: string, patientEmail: string, at: Date) => {
    const key = `${doctorEmail}/${patientEmail}`;
    const known = visits.get(key);
    if (!known || at < known.at) visits.set(key, { doctorEmail, patientEmail, status: "COMPLETED", at });
  };
  for (const review of demo.reviews) want(review.doctorEmail, review.patientEmail, writtenAt(today, review));
  want(demo.signIn.DOCTOR, demo.signIn.PATIENT, daysFrom(today, -SIGN_IN_VISIT_DAYS_AGO));
  return [...visits.values()];
}

const daysFrom = (today: Date, days: number) => new Date(today.getTime() + days * 86_400_000);

/**
 * Upcoming appointments start at least this many days after the run: after the week of slots the
 * README books from, so the README's patient is free then (no PATIENT_OVERLAP).
 */
const UPCOMING_FROM_DAYS = 9;
/** Missed visits are held in the fortnight before this many days ago. */
const NO_SHOW_DAYS_AGO = 3;

/**
 * What the appointment views show on the demo: the README's doctor and the next three doctors
 * each get upcoming, cancelled (by the patient) and missed appointments, the README's patient two
 * upcoming ones, a cancelled and a missed one with the other doctors. Never an upcoming one of the
 * README's patient with the README's doctor: the README books BOOKING_CAP_PER_DOCTOR of them.
 * Missed ones first: the booking cap counts upcoming appointments as the past booking saw them.
 */
function demoSchedule(demo: DemoData, today: Date): DemoAppointment[] {
  const readmeDoctor = demo.signIn.DOCTOR;
  const me = demo.signIn.PATIENT;
  const [d1, d2, d3] = demo.doctors.map((d) => d.user.email).filter((email) => email !== readmeDoctor);
  const others = demo.patients.map((p) => p.user.email).filter((email) => email !== me);
  const plan: [string | undefined, string | undefined, AppointmentStatus, number][] = [
    [readmeDoctor, others[3], "NO_SHOW", -NO_SHOW_DAYS_AGO],
    [d1, me, "NO_SHOW", -NO_SHOW_DAYS_AGO],
    [d2, others[6], "NO_SHOW", -NO_SHOW_DAYS_AGO],
    [d3, others[8], "NO_SHOW", -NO_SHOW_DAYS_AGO],
    [readmeDoctor, others[0], "SCHEDULED", UPCOMING_FROM_DAYS],
    [readmeDoctor, others[1], "SCHEDULED", UPCOMING_FROM_DAYS + 1],
    [readmeDoctor, others[2], "CANCELLED", UPCOMING_FROM_DAYS + 2],
    [d1, me, "SCHEDULED", UPCOMING_FROM_DAYS],
    [d1, others[4], "CANCELLED", UPCOMING_FROM_DAYS + 1],
    [d2, me, "SCHEDULED", UPCOMING_FROM_DAYS + 3],
    [d2, others[5], "CANCELLED", UPCOMING_FROM_DAYS + 2],
    [d3, others[7], "SCHEDULED", UPCOMING_FROM_DAYS + 1],
    [d3, me, "CANCELLED", UPCOMING_FROM_DAYS + 5],
  ];
  return plan.flatMap(([doctorEmail, patientEmail, status, days]) =>
    doctorEmail && patientEmail ? [{ doctorEmail, patientEmail, status, at: daysFrom(today, days) }] : [],
  );
}

/**
 * What the reviews service answers when a demo account was changed since the seed made it, or
 * when the pair has no completed visit (its doctor had no free weekly hours to hold one in).
 */
const CHANGED_SINCE = new Set<AppErrorCode>([
  "FORBIDDEN",
  "NOT_FOUND",
  "PROFILE_REQUIRED",
  "REVIEW_REQUIRES_VISIT",
]);

/**
 * The demo reviews, each saved by the reviews service as its patient and dated through the
 * service's clock, so the rating aggregate is the service's own; the completed visit each needs
 * is in place before (ensureAppointments). A pair that has a review keeps it, whatever it says
 * now; a pair the service refuses (an e-mail of another role, a profile deactivated since) is
 * skipped. Returns how many reviews it wrote.
 */
async function ensureReviews(
  deps: OperatorDeps,
  audit: AuditMeta,
  wanted: DemoReview[],
  userIds: Map<string, string>,
): Promise<number> {
  const ids = [...userIds.values()];
  const profiles = await deps.db
    .select({ id: doctors.id, userId: doctors.userId })
    .from(doctors)
    .where(inArray(doctors.userId, ids));
  const doctorIds = new Map(profiles.map((row) => [row.userId, row.id]));
  const pairs = await deps.db
    .select({ doctor: doctors.userId, patient: patients.userId })
    .from(reviews)
    .innerJoin(doctors, eq(doctors.id, reviews.doctorId))
    .innerJoin(patients, eq(patients.id, reviews.patientId))
    .where(inArray(doctors.userId, ids));
  const reviewed = new Set(pairs.map((pair) => `${pair.doctor}/${pair.patient}`));
  const today = deps.clock.now();
  let created = 0;
  for (const review of wanted) {
    const doctorUserId = userIds.get(review.doctorEmail) ?? "";
    const patientUserId = userIds.get(review.patientEmail);
    const doctorId = doctorIds.get(doctorUserId);
    if (!doctorId || !patientUserId || reviewed.has(`${doctorUserId}/${patientUserId}`)) continue;
    const saved = await unlessRefused(CHANGED_SINCE, () =>
      saveReview(
        { ...deps, clock: { now: () => writtenAt(today, review) } },
        audit,
        { userId: patientUserId, role: "PATIENT" },
        doctorId,
        { rating: review.rating, comment: review.comment },
      ),
    );
    if (saved !== undefined) created += 1;
  }
  return created;
}

/**
 * Each demo doctor's weekly hours and exceptions (demo/availability.ts), written by the
 * availability services, for a doctor who has none of either: one who has some keeps them,
 * whatever they are now. Exceptions are dated from the run, in the doctor's zone. Returns how many
 * doctors it gave hours.
 */
async function ensureAvailability(
  deps: OperatorDeps,
  audit: AuditMeta,
  emails: string[],
  userIds: Map<string, string>,
): Promise<number> {
  const ids = [...userIds.values()];
  const profiles = await deps.db
    .select({
      id: doctors.id,
      userId: doctors.userId,
      appointmentMinutes: doctors.appointmentMinutes,
      timezone: doctors.timezone,
    })
    .from(doctors)
    .where(inArray(doctors.userId, ids));
  const byUser = new Map(profiles.map((profile) => [profile.userId, profile]));
  const doctorIds = profiles.map((profile) => profile.id);
  const [rules, exceptions] = doctorIds.length
    ? await Promise.all([
        deps.db
          .selectDistinct({ doctorId: availabilityRules.doctorId })
          .from(availabilityRules)
          .where(inArray(availabilityRules.doctorId, doctorIds)),
        deps.db
          .selectDistinct({ doctorId: availabilityExceptions.doctorId })
          .from(availabilityExceptions)
          .where(inArray(availabilityExceptions.doctorId, doctorIds)),
      ])
    : [[], []];
  const hasHours = new Set([...rules, ...exceptions].map((row) => row.doctorId));
  let created = 0;
  for (const [index, email] of emails.entries()) {
    const doctor = byUser.get(userIds.get(email) ?? "");
    if (!doctor || hasHours.has(doctor.id)) continue;
    const { weekly, exceptions: dated } = demoAvailability(index);
    for (const rule of weekly) await createRule(deps, audit, doctor, rule);
    const today = localDateIn(doctor.timezone, deps.clock.now());
    for (const { inDays, days, ...exception } of dated) {
      const startDate = addDays(today, inDays === "nextFriday" ? daysToNextFriday(today) : inDays);
      await createException(deps, audit, doctor, {
        ...exception,
        startDate,
        endDate: addDays(startDate, days - 1),
      });
    }
    created += 1;
  }
  return created;
}

/**
 * The Algerian demo set, keyed by e-mail, through the API's services: an account that exists is
 * left exactly as it is (whatever changed since), a missing one is created with its profile in
 * one transaction, so an interrupted run leaves whole accounts and the next run adds the rest;
 * then the doctors' hours, the appointments (booked and moved through the scheduling services), the
 * reviews, the medical records of the visits (written and edited through the records services) and
 * their bills, insurance policies and claims (through the billing services), which a second run
 * finds in place. A second run changes nothing.
 */
export async function loadDemo(deps: SeedDeps, audit: AuditMeta): Promise<DemoResult> {
  const demo = buildDemoData();
  const visits = demoVisits(demo, deps.clock.now());
  const schedule = demoSchedule(demo, deps.clock.now());
  const { ids, created } = await ensureSpecialties(deps.db, demo.specialties);
  const userIds = new Map<string, string>();
  const tally = (total: number) => ({ total, created: 0 });
  const result: DemoResult = {
    specialties: { total: demo.specialties.length, created },
    doctors: tally(demo.doctors.length),
    patients: tally(demo.patients.length),
    staff: tally(demo.staff.length),
    reviews: tally(demo.reviews.length),
    availability: tally(demo.doctors.length),
    visits: tally(visits.length),
    appointments: tally(schedule.length),
    records: tally(0),
    historyNotes: tally(0),
    recordEdits: tally(0),
    billingEntries: tally(0),
    insurancePolicies: tally(0),
    insuranceClaims: tally(0),
  };
  const count = (ensured: EnsuredAccount, into: Tally) => {
    userIds.set(ensured.user.email, ensured.user.id);
    if (ensured.created) into.created += 1;
  };
  for (const doctor of demo.doctors) {
    const specialtyIds = doctor.specialties.map((name) => {
      const id = ids.get(name);
      if (!id) throw new Error(`demo specialty ${name} is missing`);
      return id;
    });
    count(await ensureDoctor(deps, audit, doctor, specialtyIds), result.doctors);
  }
  for (const patient of demo.patients) count(await ensurePatient(deps, audit, patient), result.patients);
  for (const staff of demo.staff) {
    count(
      await ensureAccount(deps, audit, { ...staff, password: DEMO_PASSWORD, role: "STAFF", via: "seed" }),
      result.staff,
    );
  }
  // Hours first: the past visits take slots of them, and the reviews need those visits.
  result.availability.created = await ensureAvailability(
    deps,
    audit,
    demo.doctors.map((doctor) => doctor.user.email),
    userIds,
  );
  result.visits.created = await ensureAppointments(deps, audit, visits, userIds);
  result.appointments.created = await ensureAppointments(deps, audit, schedule, userIds);
  result.reviews.created = await ensureReviews(deps, audit, demo.reviews, userIds);
  // Last: a record is written where a visit happened, by a doctor who treats the patient.
  const records = await ensureRecords(deps, audit, demo, userIds);
  result.records = records.clinical;
  result.historyNotes = records.notes;
  result.recordEdits = records.edits;
  // Bills for the visits that happened, as the front desk issues them after the doctor.
  const billing = await ensureBilling(deps, audit, demo, userIds);
  result.billingEntries = billing.entries;
  result.insurancePolicies = billing.policies;
  result.insuranceClaims = billing.claims;
  return result;
}

/** "Demo data: 10 specialties (0 new), 30 doctors (30 new), …; password …" */
export function describeDemo(result: DemoResult): string {
  const part = (label: string, { total, created }: Tally) => `${total} ${label} (${created} new)`;
  return (
    `Demo data: ${part("specialties", result.specialties)}, ${part("doctors", result.doctors)}, ` +
    `${part("patients", result.patients)}, ${part("staff", result.staff)}, ` +
    `${part("past visits", result.visits)}, ${part("other appointments", result.appointments)}, ` +
    `${part("reviews", result.reviews)}, ${part("medical records", result.records)}, ` +
    `${part("history notes", result.historyNotes)}, ${part("record edits", result.recordEdits)}, ` +
    `${part("bills", result.billingEntries)}, ${part("insurance policies", result.insurancePolicies)}, ` +
    `${part("insurance claims", result.insuranceClaims)}, ` +
    `hours for ${result.availability.total} doctors (${result.availability.created} new); ` +
    `every demo account signs in with ${DEMO_PASSWORD}.`
  );
}
