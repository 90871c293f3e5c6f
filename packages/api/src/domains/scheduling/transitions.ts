import type { AppointmentStatus } from "@medical/db/schema";
import type { Role } from "#platform/auth/roles.ts";

/** When, relative to the appointment's start, a role may make a transition. */
type Timing = "anytime" | "fromStart" | "beforeStart";

/** The statuses a client may ask for: SCHEDULED is where every appointment starts, never a target. */
export const TARGET_STATUSES = ["COMPLETED", "NO_SHOW", "CANCELLED"] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];

/**
 * The one transition table of issue 16. Only SCHEDULED moves. COMPLETED and NO_SHOW say what
 * happened, so they come from the appointment's doctor, STAFF or ADMIN once it has started.
 * CANCELLED: its patient, its doctor, STAFF or ADMIN — the patient only before the start, so a
 * missed visit stays a NO_SHOW (and a care relationship cannot be undone after the fact). "Its"
 * patient and doctor are the access predicate's job: a transition is asked only about a row the
 * actor sees.
 */
const TRANSITIONS = {
  SCHEDULED: {
    COMPLETED: { DOCTOR: "fromStart", STAFF: "fromStart", ADMIN: "fromStart" },
    NO_SHOW: { DOCTOR: "fromStart", STAFF: "fromStart", ADMIN: "fromStart" },
    CANCELLED: { PATIENT: "beforeStart", DOCTOR: "anytime", STAFF: "anytime", ADMIN: "anytime" },
  },
  COMPLETED: {},
  CANCELLED: {},
  NO_SHOW: {},
} as const satisfies Record<AppointmentStatus, Partial<Record<TargetStatus, Partial<Record<Role, Timing>>>>>;

function timingOf(from: AppointmentStatus, to: TargetStatus, role: Role): Timing | undefined {
  const targets: Partial<Record<TargetStatus, Partial<Record<Role, Timing>>>> = TRANSITIONS[from];
  return targets[to]?.[role];
}

/**
 * Whether the role may ever send an appointment to `to`, whatever its state: a role that may not
 * (a PATIENT completing a visit) is refused with 403 before any row is read.
 */
export function mayRequest(role: Role, to: TargetStatus): boolean {
  return Object.values(TRANSITIONS).some(
    (targets: Partial<Record<TargetStatus, Partial<Record<Role, Timing>>>>) =>
      targets[to]?.[role] !== undefined,
  );
}

export type TransitionVerdict =
  | { ok: true }
  | { ok: false; reason: "final" | "not_allowed" | "not_started" | "started"; message: string };

/** The table's answer for one appointment as it is now (`INVALID_TRANSITION` when not ok). */
export function checkTransition(
  appointment: { status: AppointmentStatus; startsAt: Date },
  to: TargetStatus,
  role: Role,
  now: Date,
): TransitionVerdict {
  const { status } = appointment;
  if (Object.keys(TRANSITIONS[status]).length === 0)
    return { ok: false, reason: "final", message: `A ${status} appointment does not change status` };
  const timing = timingOf(status, to, role);
  if (timing === undefined)
    return { ok: false, reason: "not_allowed", message: `A ${role} cannot mark it ${to}` };
  const started = now.getTime() >= appointment.startsAt.getTime();
  if (timing === "fromStart" && !started)
    return { ok: false, reason: "not_started", message: `It cannot be marked ${to} before it starts` };
  if (timing === "beforeStart" && started)
    return {
      ok: false,
      reason: "started",
      message: "It has started: only the doctor or the clinic can cancel it now",
    };
  return { ok: true };
}
