import { randomUUID } from "node:crypto";
import type { Executor } from "@medical/db";
import { appointments } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import { DOCTOR_NOT_FOUND } from "#domains/doctors/public.ts";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps, Settings } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import type { Seal } from "#platform/idempotency/idempotency.ts";
import { type AppointmentDto, selectAppointmentRows, toAppointmentDtos } from "./appointment-dto.ts";
import { sealAppointmentText } from "./appointment-phi.ts";
import { checkCap, lockPatientFor, offeredEnd, overlapRefusal, retryingDeadlocks } from "./booking-rules.ts";
import { findBookableDoctor } from "./offer.ts";
import type { BookInput } from "./scheduling.schema.ts";

// Of the settings, only the cap: a one-shot command (the seed) books without the server's configuration.
type BookingDeps = Pick<Deps, "db" | "events" | "clock" | "fieldCipher"> & {
  settings: Pick<Settings, "bookingCapPerDoctor">;
};

/** The DTO of one appointment read in the caller's transaction (the caller audits its reason). */
export async function appointmentDtoOf(
  deps: Pick<Deps, "fieldCipher">,
  tx: Executor,
  id: string,
): Promise<AppointmentDto> {
  const [dto] = toAppointmentDtos(
    deps.fieldCipher,
    await selectAppointmentRows(tx).where(eq(appointments.id, id)),
  );
  if (!dto) throw new Error(`appointment ${id} not found in its own transaction`);
  return dto;
}

/**
 * Books `input.startsAt` with a doctor for the actor's patient (see `lockPatientFor`) after every
 * booking check, the overlap ones held by the database. The answer is sealed (`seal`, for an
 * Idempotency-Key) and the `appointment.booked` event written in the booking's transaction.
 */
export async function bookAppointment(
  deps: BookingDeps,
  audit: AuditMeta,
  actor: Pick<Actor, "userId" | "role">,
  input: BookInput,
  seal: Seal<AppointmentDto> = async () => undefined,
): Promise<AppointmentDto> {
  const startsAt = new Date(input.startsAt);
  return retryingDeadlocks(() =>
    auditedTransaction(deps, audit, async (tx, record) => {
      const patient = await lockPatientFor(tx, actor, input.patientId);
      const doctor = await findBookableDoctor(tx, input.doctorId, { lock: true });
      if (!doctor) throw new DomainError("NOT_FOUND", DOCTOR_NOT_FOUND);
      const now = deps.clock.now();
      const endsAt = await offeredEnd(tx, doctor, startsAt, now);
      await checkCap(deps, tx, { patientId: patient.id, doctorId: doctor.id, now });
      const id = randomUUID();
      await tx.insert(appointments).values({
        id,
        doctorId: doctor.id,
        patientId: patient.id,
        startsAt,
        endsAt,
        timezone: doctor.timezone,
        reason: sealAppointmentText(deps.fieldCipher, id, "reason", input.reason),
        createdBy: actor.userId,
        createdAt: now,
        updatedAt: now,
      });
      record.audit({
        action: "appointment.booked",
        outcome: "SUCCESS",
        targetType: "appointment",
        targetId: id,
        patientId: patient.id,
        details: { doctorId: doctor.id },
      });
      record.emit("appointment.booked", {
        v: 1,
        appointmentId: id,
        doctorId: doctor.id,
        patientId: patient.id,
        actorId: actor.userId,
      });
      const dto = await appointmentDtoOf(deps, tx, id);
      await seal(tx, dto);
      return dto;
    }),
  ).catch(overlapRefusal);
}
