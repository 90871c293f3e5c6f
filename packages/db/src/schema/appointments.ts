import { sql } from "drizzle-orm";
import { check, index, pgTable, primaryKey } from "drizzle-orm/pg-core";
import { id, ref, timestamptz } from "./columns.ts";
import { doctors } from "./doctors.ts";
import { patients } from "./patients.ts";
import { type Role, users } from "./users.ts";

export const APPOINTMENT_STATUSES = ["SCHEDULED", "COMPLETED", "CANCELLED", "NO_SHOW"] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

/**
 * A visit of one patient to one doctor, `[starts_at, ends_at)` in UTC; `timezone` is the doctor's
 * zone when it was booked (the DTO and the calendar feed show local times in it).
 *
 * No double booking, whatever the concurrency: two exclusion constraints (drizzle/0009,
 * btree_gist; drizzle-kit cannot express them) refuse a row whose range overlaps another
 * non-cancelled appointment of the same doctor (`appointments_doctor_no_overlap` → SLOT_TAKEN) or
 * of the same patient (`appointments_patient_no_overlap` → PATIENT_OVERLAP).
 *
 * `reason` and `cancellation_reason` are PHI written by people: AES-256-GCM documents like the
 * patients' clinical data (bound to this table, column and row), readable by STAFF too.
 */
export const appointments = pgTable(
  "appointments",
  (t) => ({
    id: id(),
    doctorId: ref(() => doctors.id),
    patientId: ref(() => patients.id),
    startsAt: timestamptz().notNull(),
    endsAt: timestamptz().notNull(),
    timezone: t.varchar({ length: 64 }).notNull(),
    status: t.varchar({ length: 12 }).notNull().default("SCHEDULED").$type<AppointmentStatus>(),
    reason: t.text(),
    /** Who booked it (the patient, or STAFF/ADMIN for them). */
    createdBy: ref(() => users.id),
    cancelledBy: t.uuid().references(() => users.id),
    /** The canceller's role at the time (a user's role can change later). */
    cancelledByRole: t.varchar({ length: 20 }).$type<Role>(),
    cancellationReason: t.text(),
    cancelledAt: timestamptz(),
    createdAt: timestamptz().notNull().defaultNow(),
    updatedAt: timestamptz().notNull().defaultNow(),
  }),
  (t) => [
    // Keyset pages of the three views (API-CONTRACT lists): by start, then id.
    index("appointments_patient_start").on(t.patientId, t.startsAt, t.id),
    index("appointments_doctor_start").on(t.doctorId, t.startsAt, t.id),
    index("appointments_start").on(t.startsAt, t.id),
    // The care relationship (scheduling/care.ts): one doctor–patient pair is a probe, a doctor's
    // patients a range, both answered from the index alone.
    index("appointments_doctor_patient").on(t.doctorId, t.patientId, t.status),
    check("appointments_range", sql`${t.startsAt} < ${t.endsAt}`),
    check("appointments_status", sql`${t.status} in ('SCHEDULED', 'COMPLETED', 'CANCELLED', 'NO_SHOW')`),
    check(
      "appointments_cancellation",
      sql`(${t.status} = 'CANCELLED') = (${t.cancelledAt} is not null and ${t.cancelledBy} is not null and ${t.cancelledByRole} is not null)`,
    ),
  ],
);

/** The times an appointment had before each reschedule (the detail route's `history`). */
export const appointmentChanges = pgTable(
  "appointment_changes",
  (t) => ({
    id: t.bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    appointmentId: ref(() => appointments.id),
    startsAt: timestamptz().notNull(),
    endsAt: timestamptz().notNull(),
    changedAt: timestamptz().notNull().defaultNow(),
    changedBy: ref(() => users.id),
    /** The role of `changed_by` at the time, as `cancelled_by_role` is kept for a cancellation. */
    changedByRole: t.varchar({ length: 20 }).notNull().$type<Role>(),
  }),
  (t) => [index("appointment_changes_appointment").on(t.appointmentId, t.id)],
);

export const IDEMPOTENCY_STATES = ["IN_PROGRESS", "DONE"] as const;
export type IdempotencyState = (typeof IDEMPOTENCY_STATES)[number];

/**
 * `Idempotency-Key` of a user for one operation: the request's fingerprint and, once answered,
 * its status and body (2xx and 4xx; a 429 or 5xx deletes the row so a retry runs again). Rows
 * older than 24 h are ignored and purged.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  (t) => ({
    userId: ref(() => users.id),
    operation: t.varchar({ length: 60 }).notNull(),
    key: t.varchar({ length: 255 }).notNull(),
    requestHash: t.char({ length: 64 }).notNull(),
    state: t.varchar({ length: 12 }).notNull().default("IN_PROGRESS").$type<IdempotencyState>(),
    responseStatus: t.smallint(),
    responseBody: t.jsonb(),
    createdAt: timestamptz().notNull().defaultNow(),
  }),
  (t) => [
    primaryKey({ columns: [t.userId, t.operation, t.key] }),
    index("idempotency_keys_created").on(t.createdAt),
  ],
);

/**
 * A user's iCalendar feed: the secret of its URL, stored as a SHA-256 hash (never the secret),
 * one per user; rotating replaces it, revoking deletes it.
 */
export const calendarFeeds = pgTable("calendar_feeds", (t) => ({
  userId: ref(() => users.id).primaryKey(),
  tokenHash: t.char({ length: 64 }).notNull().unique(),
  createdAt: timestamptz().notNull().defaultNow(),
}));

export type Appointment = typeof appointments.$inferSelect;
export type NewAppointment = typeof appointments.$inferInsert;
export type AppointmentChange = typeof appointmentChanges.$inferSelect;
export type IdempotencyKey = typeof idempotencyKeys.$inferSelect;
