import type { Executor } from "@medical/db";
import {
  appointments,
  type DomainEventRow,
  patients,
  type ReminderJob,
  reminderJobs,
  users,
} from "@medical/db/schema";
import { and, asc, eq, inArray, isNull, lte, ne, or, sql } from "drizzle-orm";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import { type BackgroundPasses, runPasses } from "#platform/background.ts";
import type { Deps } from "#platform/deps.ts";
import type { EventName } from "#platform/events/event-bus.ts";
import { domainEventSchemas } from "#platform/events/event-schemas.ts";

/*
 * Appointment reminders (decision record 0035): the notifications consumer keeps one job per
 * appointment, offset and start time in `reminder_jobs`; a worker leases the due ones and, in the
 * transaction that marks one DONE, emits `reminder.due`, which the consumer turns into the
 * patient's notification and mail (so notifications keep their one writer).
 */

const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;
/** Quiet hours on the recipient's clock: no reminder from 22:00 until 07:00. */
const QUIET_FROM = 22 * 60;
const QUIET_UNTIL = 7 * 60;

/** Minutes since midnight on `timeZone`'s clock at `instant`. */
function minuteOfDay(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    numberingSystem: "latn",
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return part("hour") * 60 + part("minute");
}

/**
 * When the reminder `offsetMinutes` before `startsAt` goes out: then, unless that is within the
 * recipient's quiet hours, else at the last minute before those quiet hours began (21:59 that
 * evening or the evening before): earlier rather than later, so it still comes before the visit.
 * Minutes are counted as elapsed time, so a DST change inside the quiet hours shifts it by the
 * change (the clinic's zone, Africa/Algiers, has none).
 */
export function reminderDueAt(startsAt: Date, offsetMinutes: number, timeZone: string): Date {
  const due = startsAt.getTime() - offsetMinutes * MINUTE_MS;
  const local = minuteOfDay(new Date(due), timeZone);
  const sinceQuiet =
    local >= QUIET_FROM
      ? local - QUIET_FROM
      : local < QUIET_UNTIL
        ? local + DAY_MINUTES - QUIET_FROM
        : undefined;
  if (sinceQuiet === undefined) return new Date(due);
  return new Date(due - (due % MINUTE_MS) - (sinceQuiet + 1) * MINUTE_MS);
}

/** The events that change an appointment's reminders: the consumer syncs its jobs on each. */
const APPOINTMENT_CHANGES = [
  "appointment.booked",
  "appointment.rescheduled",
  "appointment.cancelled",
  "appointment.status_changed",
] as const satisfies readonly EventName[];

/** The appointment as it stands and its patient's zone: what its jobs follow. */
async function unsafeReminderSubject(db: Executor, appointmentId: string) {
  const [row] = await db
    .select({ startsAt: appointments.startsAt, status: appointments.status, timeZone: users.timezone })
    .from(appointments)
    .innerJoin(patients, eq(patients.id, appointments.patientId))
    .innerJoin(users, eq(users.id, patients.userId))
    .where(eq(appointments.id, appointmentId))
    .limit(1);
  return row;
}

/**
 * Brings an appointment's jobs in line with the appointment as it stands now, in the consumer's
 * transaction (so an event replayed or consumed late does the same): its pending jobs for another
 * start (it moved) or for an appointment no longer SCHEDULED are cancelled; a SCHEDULED one gets a
 * job per offset whose time had not passed when the event happened (the booking's own notification
 * covers a reminder that would follow it at once). A job cancelled by a move and needed again by a
 * move back is revived; a DONE one is never sent again.
 */
export async function syncReminderJobs(
  tx: Executor,
  event: DomainEventRow,
  offsetsMinutes: readonly number[],
): Promise<void> {
  const type = APPOINTMENT_CHANGES.find((name) => name === event.type);
  if (!type) return;
  const payload = domainEventSchemas["appointment.booked"].safeParse(event.payload);
  // The derivation of the same event logs an unreadable payload.
  if (!payload.success) return;
  const { appointmentId } = payload.data;
  const subject = await unsafeReminderSubject(tx, appointmentId);
  const live = subject?.status === "SCHEDULED" ? subject : undefined;
  await tx
    .update(reminderJobs)
    .set({ status: "CANCELLED", lockedUntil: null, updatedAt: sql`now()` })
    .where(
      and(
        eq(reminderJobs.appointmentId, appointmentId),
        eq(reminderJobs.status, "PENDING"),
        live ? ne(reminderJobs.startsAt, live.startsAt) : undefined,
      ),
    );
  if (!live) return;
  const jobs = offsetsMinutes
    .map((offsetMinutes) => ({
      appointmentId,
      offsetMinutes,
      startsAt: live.startsAt,
      dueAt: reminderDueAt(live.startsAt, offsetMinutes, live.timeZone),
    }))
    .filter((job) => job.dueAt > event.occurredAt);
  if (!jobs.length) return;
  await tx
    .insert(reminderJobs)
    .values(jobs)
    .onConflictDoUpdate({
      target: [reminderJobs.appointmentId, reminderJobs.offsetMinutes, reminderJobs.startsAt],
      set: { status: "PENDING", dueAt: sql`excluded.due_at`, lockedUntil: null, updatedAt: sql`now()` },
      setWhere: eq(reminderJobs.status, "CANCELLED"),
    });
}

export interface ReminderWorkerOptions {
  /** How long a claimed job is this worker's before another may take it (it crashed). */
  leaseMs?: number;
  batchSize?: number;
}

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_BATCH = 50;
/** Tries of one job before it is marked FAILED: a job that always fails must not be retried for ever. */
export const MAX_REMINDER_ATTEMPTS = 5;

/**
 * Leases up to `batchSize` due jobs that no worker holds (never leased, or its lease ran out):
 * `FOR UPDATE SKIP LOCKED` so concurrent workers take different rows, then `locked_until` so the
 * lease outlives this short transaction.
 */
export function claimDueReminders(
  deps: Pick<Deps, "db" | "clock">,
  options: ReminderWorkerOptions = {},
): Promise<ReminderJob[]> {
  const now = deps.clock.now();
  const lockedUntil = new Date(now.getTime() + (options.leaseMs ?? DEFAULT_LEASE_MS));
  return deps.db.transaction(async (tx) => {
    const due = await tx
      .select({ id: reminderJobs.id })
      .from(reminderJobs)
      .where(
        and(
          eq(reminderJobs.status, "PENDING"),
          lte(reminderJobs.dueAt, now),
          or(isNull(reminderJobs.lockedUntil), lte(reminderJobs.lockedUntil, now)),
        ),
      )
      .orderBy(asc(reminderJobs.dueAt))
      .limit(options.batchSize ?? DEFAULT_BATCH)
      .for("update", { skipLocked: true });
    if (!due.length) return [];
    return tx
      .update(reminderJobs)
      .set({ lockedUntil, attempts: sql`${reminderJobs.attempts} + 1`, updatedAt: now })
      .where(
        inArray(
          reminderJobs.id,
          due.map((row) => row.id),
        ),
      )
      .returning();
  });
}

/** The worker acts for nobody: its events carry no actor. */
const WORKER_META: AuditMeta = {
  actor: null,
  requestId: "reminder-worker",
  origin: { ip: null, userAgent: null },
};

/**
 * Sends a leased job: in one transaction, re-reads it under a row lock (a worker whose lease ran
 * out finds it DONE and sends nothing), then marks it DONE with its `reminder.due` event, or
 * CANCELLED when the appointment is no longer SCHEDULED at that time or has started. True if sent.
 */
export function completeReminder(
  deps: Pick<Deps, "db" | "events" | "clock">,
  job: ReminderJob,
): Promise<boolean> {
  const now = deps.clock.now();
  return auditedTransaction(deps, WORKER_META, async (tx, record) => {
    const [pending] = await tx
      .select({ id: reminderJobs.id })
      .from(reminderJobs)
      .where(and(eq(reminderJobs.id, job.id), eq(reminderJobs.status, "PENDING")))
      .for("update");
    if (!pending) return false;
    const [appointment] = await tx
      .select({ startsAt: appointments.startsAt, status: appointments.status })
      .from(appointments)
      .where(eq(appointments.id, job.appointmentId));
    const sends =
      appointment?.status === "SCHEDULED" &&
      appointment.startsAt.getTime() === job.startsAt.getTime() &&
      now < appointment.startsAt;
    await tx
      .update(reminderJobs)
      .set({ status: sends ? "DONE" : "CANCELLED", lockedUntil: null, updatedAt: now })
      .where(eq(reminderJobs.id, job.id));
    if (sends) {
      record.emit("reminder.due", {
        v: 1,
        jobId: job.id,
        appointmentId: job.appointmentId,
        startsAt: job.startsAt.toISOString(),
        offsetMinutes: job.offsetMinutes,
      });
    }
    return sends;
  });
}

/**
 * A job whose sending threw: logged, and left to its lease (another pass retries it) until its
 * last attempt, after which it is FAILED. The other jobs of the batch go on.
 */
async function failReminder(deps: Pick<Deps, "db" | "clock" | "logger">, job: ReminderJob, error: unknown) {
  const givenUp = job.attempts >= MAX_REMINDER_ATTEMPTS;
  deps.logger.error(
    {
      jobId: job.id,
      attempts: job.attempts,
      givenUp,
      cause: error instanceof Error ? error.name : "unknown",
    },
    "reminder failed",
  );
  if (!givenUp) return;
  await deps.db
    .update(reminderJobs)
    .set({ status: "FAILED", lockedUntil: null, updatedAt: deps.clock.now() })
    .where(and(eq(reminderJobs.id, job.id), eq(reminderJobs.status, "PENDING")));
}

/** One pass: every job due now, a batch at a time. Returns how many reminders it sent. */
export async function sendDueReminders(
  deps: Pick<Deps, "db" | "events" | "clock" | "logger">,
  options: ReminderWorkerOptions = {},
): Promise<number> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  let sent = 0;
  for (;;) {
    const jobs = await claimDueReminders(deps, { ...options, batchSize });
    for (const job of jobs) {
      try {
        if (await completeReminder(deps, job)) sent += 1;
      } catch (error) {
        await failReminder(deps, job, error);
      }
    }
    if (jobs.length < batchSize) return sent;
  }
}

/**
 * Runs the reminder worker in the background (the server starts it after listening and stops it
 * after draining requests). Any number of instances may run it: the leases share the jobs out.
 */
export function startReminderWorker(
  deps: Pick<Deps, "db" | "events" | "clock" | "logger">,
  options: { intervalMs: number } = { intervalMs: 15_000 },
): BackgroundPasses {
  return runPasses(() => sendDueReminders(deps), {
    intervalMs: options.intervalMs,
    logger: deps.logger.child({ worker: "reminders" }),
    failure: "reminder pass failed",
  });
}
