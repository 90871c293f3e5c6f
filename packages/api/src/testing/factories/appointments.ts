import { randomUUID } from "node:crypto";
import type { Database } from "@medical/db";
import {
  type Appointment,
  type AppointmentStatus,
  appointments,
  type NewAppointment,
} from "@medical/db/schema";
import { sealAppointmentText } from "#domains/scheduling/appointment-phi.ts";
import type { FieldCipher } from "#platform/crypto/field-cipher.ts";
import { accountOfPatient } from "./patients.ts";

export interface MakeAppointmentInput
  extends Partial<Omit<NewAppointment, "doctorId" | "patientId" | "reason" | "cancellationReason">> {
  doctorId: string;
  patientId: string;
  /** Length when `endsAt` is not given (default 30). */
  minutes?: number;
  /** Plain text: encrypted with `cipher` under the row's id as the service does, or stored as given without one. */
  reason?: string | null;
  /** Kept only on a CANCELLED row; encrypted or stored as given, like `reason`. */
  cancellationReason?: string | null;
  cipher?: FieldCipher;
}

const HOUR_MS = 3_600_000;
/**
 * Default starts live a decade away (ahead, or back for a visit that happened), an hour apart
 * per row this process makes. Explicit starts a test picks stay near now — within a year or so
 * (no booking horizon passes 365 days) or on named dates of 2025–2031 — so a default can never
 * overlap one of them under the doctor's or the patient's exclusion constraint, however many rows
 * a whole suite makes in one process (a few thousand hours at most: months, not years). Defaults
 * a few days ahead used to drift into the days tests pick, and the constraint refused the test's
 * row. A decade is also past the calendar feed's window: a test that reads a feed picks its starts.
 */
const DEFAULT_OFFSET_MS = 10 * 365 * 24 * HOUR_MS;
const thisHour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
let sequence = 0;

function defaultStart(status: AppointmentStatus): Date {
  sequence += 1;
  const happened = status === "COMPLETED" || status === "NO_SHOW";
  return new Date(thisHour + (happened ? -1 : 1) * (DEFAULT_OFFSET_MS + sequence * HOUR_MS));
}

/**
 * An appointment written straight to the table, without the booking rules (slot, notice, history,
 * audit): for tests of what reads appointments. Defaults follow the status: SCHEDULED unless
 * given; a start of its own a decade ahead (a decade ago for a COMPLETED or NO_SHOW visit, which
 * happened), never overlapping another this process made nor a start a test picks; 30 minutes; booked by the patient's
 * account; a CANCELLED row gets its cancellation facts (by the booker, as a PATIENT, now), as the
 * table's check requires. With a `cipher`, `reason` and `cancellationReason` are encrypted as the
 * service does; without one they are stored as given, in plain text — on purpose for leak tests: a
 * test that says they never leak would find them if they did. Every other column can be given.
 */
export async function makeAppointment(db: Database, input: MakeAppointmentInput): Promise<Appointment> {
  const { minutes, reason, cancellationReason, cipher, ...columns } = input;
  const id = columns.id ?? randomUUID();
  const status = columns.status ?? "SCHEDULED";
  const startsAt = columns.startsAt ?? defaultStart(status);
  const createdBy = columns.createdBy ?? (await accountOfPatient(db, input.patientId));
  const cancelled = status === "CANCELLED";
  const seal = (column: "reason" | "cancellation_reason", text: string | null | undefined) =>
    cipher ? sealAppointmentText(cipher, id, column, text) : (text ?? null);
  const [row] = await db
    .insert(appointments)
    .values({
      timezone: "Africa/Algiers",
      ...columns,
      id,
      status,
      startsAt,
      endsAt: columns.endsAt ?? new Date(startsAt.getTime() + (minutes ?? 30) * 60_000),
      createdBy,
      reason: seal("reason", reason),
      cancelledBy: cancelled ? (columns.cancelledBy ?? createdBy) : null,
      cancelledByRole: cancelled ? (columns.cancelledByRole ?? "PATIENT") : null,
      cancelledAt: cancelled ? (columns.cancelledAt ?? new Date()) : null,
      cancellationReason: cancelled ? seal("cancellation_reason", cancellationReason) : null,
    })
    .returning();
  if (!row) throw new Error("makeAppointment inserted nothing");
  return row;
}
