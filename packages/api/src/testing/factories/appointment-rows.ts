import type { Database } from "@medical/db";
import { type Appointment, type AppointmentStatus, appointments, patients } from "@medical/db/schema";
import { eq } from "drizzle-orm";

export interface AppointmentRowInput {
  doctorId: string;
  patientId: string;
  status?: AppointmentStatus;
  /**
   * Default: a start of its own, an hour apart from every other this process made: days ahead, or
   * days ago for a COMPLETED or NO_SHOW visit (which happened).
   */
  startsAt?: Date;
  minutes?: number;
  timezone?: string;
  reason?: string | null;
  /** Default: the patient's account, as when the patient books. */
  createdBy?: string;
  /** For CANCELLED: who cancelled (default the booker) and why. */
  cancelledBy?: string;
  cancellationReason?: string | null;
}

const HOUR_MS = 3_600_000;
// Two days from now on a whole hour, then an hour further (ahead or back) at each call: no two overlap.
const thisHour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
let sequence = 0;

function defaultStart(status: AppointmentStatus): Date {
  sequence += 1;
  const happened = status === "COMPLETED" || status === "NO_SHOW";
  return new Date(thisHour + (happened ? -1 : 1) * (48 + sequence) * HOUR_MS);
}

/**
 * An appointment row written directly, without the booking rules (slot, notice, history, audit):
 * for tests of what reads appointments — the care relationship, the review gate, the calendar
 * feed. A CANCELLED row gets its cancellation facts, as the table's check requires. `reason` and
 * `cancellationReason` are stored as given, unencrypted: a test that says they never leak would
 * find them in plain text if they did.
 */
export async function makeAppointmentRow(db: Database, input: AppointmentRowInput): Promise<Appointment> {
  const status = input.status ?? "SCHEDULED";
  const startsAt = input.startsAt ?? defaultStart(status);
  const endsAt = new Date(startsAt.getTime() + (input.minutes ?? 30) * 60_000);
  const createdBy = input.createdBy ?? (await accountOf(db, input.patientId));
  const cancelled = status === "CANCELLED";
  const [row] = await db
    .insert(appointments)
    .values({
      doctorId: input.doctorId,
      patientId: input.patientId,
      startsAt,
      endsAt,
      timezone: input.timezone ?? "Africa/Algiers",
      status,
      reason: input.reason ?? null,
      createdBy,
      cancelledBy: cancelled ? (input.cancelledBy ?? createdBy) : null,
      cancelledByRole: cancelled ? "PATIENT" : null,
      cancellationReason: cancelled ? (input.cancellationReason ?? null) : null,
      cancelledAt: cancelled ? new Date() : null,
    })
    .returning();
  if (!row) throw new Error("makeAppointmentRow inserted nothing");
  return row;
}

async function accountOf(db: Database, patientId: string): Promise<string> {
  const [row] = await db
    .select({ userId: patients.userId })
    .from(patients)
    .where(eq(patients.id, patientId))
    .limit(1);
  if (!row) throw new Error(`makeAppointmentRow: no patient ${patientId}`);
  return row.userId;
}
