import type { Transaction } from "@medical/db";
import { appointmentChanges, appointments, patients } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import { type AuditMeta, auditedTransaction, type ChangeRecorder } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { APPOINTMENT_NOT_FOUND, findVisibleAppointment } from "./access.ts";
import {
  type AppointmentDetail,
  type AppointmentDto,
  type AppointmentRow,
  toAppointmentDetail,
} from "./appointment-dto.ts";
import { appointmentReadEvent, auditingUnreadable } from "./appointment-phi.ts";
import { appointmentDtoOf } from "./booking.service.ts";
import { checkCap, offeredEnd, overlapRefusal, retryingDeadlocks } from "./booking-rules.ts";
import { findBookableDoctor } from "./offer.ts";

type SchedulingDeps = Pick<Deps, "db" | "events" | "clock" | "fieldCipher" | "settings">;

/**
 * `GET /appointments/{id}`: the appointment with its history, for those who see it. The reason
 * is PHI: the read is audited in its transaction, a refused one in a transaction of its own.
 */
export function getAppointment(
  deps: Pick<Deps, "db" | "events" | "fieldCipher">,
  audit: AuditMeta,
  actor: Pick<Actor, "userId" | "role">,
  id: string,
): Promise<AppointmentDetail> {
  return auditingUnreadable(deps, audit, () =>
    auditedTransaction(deps, audit, async (tx, record) => {
      const row = await findVisibleAppointment(tx, actor, id);
      if (!row)
        return record.refuse(
          appointmentReadEvent({ id, patientId: null }, "DENIED", "not_visible"),
          new DomainError("NOT_FOUND", APPOINTMENT_NOT_FOUND),
        );
      const detail = await toAppointmentDetail(tx, deps.fieldCipher, row);
      record.audit(appointmentReadEvent(row.appointment, "SUCCESS"));
      return detail;
    }),
  );
}

/**
 * The move itself, the appointment and its patient locked: every booking check on the new start
 * (the cap counting this appointment once), the new times, the old ones into the history, the
 * audit events (the answer carries the reason) and `appointment.rescheduled`.
 */
async function move(
  deps: SchedulingDeps,
  tx: Transaction,
  record: ChangeRecorder,
  actor: Pick<Actor, "userId" | "role">,
  current: AppointmentRow["appointment"],
  startsAt: Date,
): Promise<void> {
  const doctor = await findBookableDoctor(tx, current.doctorId, { lock: true });
  if (!doctor) throw new DomainError("OUTSIDE_AVAILABILITY", "The doctor offers no appointments now");
  const now = deps.clock.now();
  const endsAt = await offeredEnd(tx, doctor, startsAt, now);
  await checkCap(deps, tx, { patientId: current.patientId, doctorId: doctor.id, now, except: current.id });
  await tx
    .update(appointments)
    .set({ startsAt, endsAt, timezone: doctor.timezone, updatedAt: now })
    .where(eq(appointments.id, current.id));
  await tx.insert(appointmentChanges).values({
    appointmentId: current.id,
    startsAt: current.startsAt,
    endsAt: current.endsAt,
    changedAt: now,
    changedBy: actor.userId,
    changedByRole: actor.role,
  });
  record.audit({
    action: "appointment.rescheduled",
    outcome: "SUCCESS",
    targetType: "appointment",
    targetId: current.id,
    patientId: current.patientId,
    details: { doctorId: doctor.id },
  });
  record.audit(appointmentReadEvent(current, "SUCCESS"));
  record.emit("appointment.rescheduled", {
    v: 1,
    appointmentId: current.id,
    doctorId: doctor.id,
    patientId: current.patientId,
    actorId: actor.userId,
  });
}

/**
 * Moves a SCHEDULED appointment to `startsAt` (INVALID_TRANSITION otherwise), atomically: the new
 * time passes every booking check, the old one is freed, the id stays and the previous times join
 * its history. The patient is locked before the appointment, in the order booking locks them.
 */
export function rescheduleAppointment(
  deps: SchedulingDeps,
  audit: AuditMeta,
  actor: Pick<Actor, "userId" | "role">,
  id: string,
  startsAtText: string,
): Promise<AppointmentDto> {
  const startsAt = new Date(startsAtText);
  const refused = {
    action: "appointment.rescheduled",
    outcome: "DENIED",
    targetType: "appointment",
    targetId: id,
    details: { reason: "not_visible" },
  } as const;
  return auditingUnreadable(deps, audit, () =>
    retryingDeadlocks(() =>
      auditedTransaction(deps, audit, async (tx, record) => {
        const seen = await findVisibleAppointment(tx, actor, id);
        if (!seen) return record.refuse(refused, new DomainError("NOT_FOUND", APPOINTMENT_NOT_FOUND));
        await tx
          .select({ id: patients.id })
          .from(patients)
          .where(eq(patients.id, seen.appointment.patientId))
          .for("update");
        const row = await findVisibleAppointment(tx, actor, id, { lock: true });
        if (!row) return record.refuse(refused, new DomainError("NOT_FOUND", APPOINTMENT_NOT_FOUND));
        const current = row.appointment;
        if (current.status !== "SCHEDULED")
          throw new DomainError("INVALID_TRANSITION", `A ${current.status} appointment cannot be moved`);
        if (current.startsAt.getTime() === startsAt.getTime()) {
          record.audit(appointmentReadEvent(current, "SUCCESS"));
          return appointmentDtoOf(deps, tx, id);
        }
        await move(deps, tx, record, actor, current, startsAt);
        return appointmentDtoOf(deps, tx, id);
      }),
    ).catch(overlapRefusal),
  );
}
