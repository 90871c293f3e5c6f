import {
  APPOINTMENT_STATUSES,
  CLAIM_STATUSES,
  MEDICAL_RECORD_KINDS,
  SESSION_REVOCATION_REASONS,
} from "@medical/db/schema";
import { z } from "zod";
import { type DomainEvents, type EventName, NOTIFICATIONS_PER_EVENT } from "./event-bus.ts";

/*
 * What an event must look like when it arrives from another process. The compiler holds each schema
 * to its DomainEvents type (`satisfies` below): a new event does not compile until it has one.
 * Objects are not strict, so a field added by a newer instance does not get the event dropped; a
 * new `v` does, until every instance knows it.
 */

const id = z.string().min(1).max(64);

const appointmentEvent = z.object({
  v: z.literal(1),
  appointmentId: id,
  doctorId: id,
  patientId: id,
  actorId: id,
});

const medicalRecordEvent = z.object({
  v: z.literal(1),
  recordId: id,
  patientId: id,
  doctorId: id.nullable(),
  kind: z.enum(MEDICAL_RECORD_KINDS),
  actorId: id,
});

export const domainEventSchemas = {
  "session.revoked": z.object({
    v: z.literal(1),
    userId: id,
    sessionIds: z.array(id),
    reason: z.enum(SESSION_REVOCATION_REASONS),
  }),
  "appointment.booked": appointmentEvent,
  "appointment.rescheduled": appointmentEvent,
  "appointment.cancelled": appointmentEvent,
  "appointment.status_changed": appointmentEvent.extend({
    from: z.enum(APPOINTMENT_STATUSES),
    to: z.enum(["COMPLETED", "NO_SHOW"]),
  }),
  "medical_record.created": medicalRecordEvent,
  "medical_record.updated": medicalRecordEvent.extend({ version: z.number().int() }),
  "medical_record.deleted": medicalRecordEvent,
  "bill.issued": z.object({
    v: z.literal(1),
    billingEntryId: id,
    patientId: id,
    appointmentId: id.nullable(),
    actorId: id,
  }),
  "claim.status_changed": z.object({
    v: z.literal(1),
    claimId: id,
    policyId: id,
    billingEntryId: id,
    patientId: id,
    from: z.enum(CLAIM_STATUSES).nullable(),
    to: z.enum(CLAIM_STATUSES),
    actorId: id,
  }),
  "user.password_changed": z.object({ v: z.literal(1), userId: id }),
  "user.signed_in": z.object({ v: z.literal(1), userId: id, sessionId: id, newClient: z.boolean() }),
  "announcement.published": z.object({ v: z.literal(1), announcementId: id }),
  "reminder.due": z.object({
    v: z.literal(1),
    jobId: id,
    appointmentId: id,
    startsAt: z.iso.datetime({ offset: true }),
    offsetMinutes: z.number().int().min(1),
  }),
  "notifications.created": z.object({
    v: z.literal(1),
    items: z
      .array(z.object({ userId: id, notificationId: id, position: z.number().int().min(1) }))
      .min(1)
      .max(NOTIFICATIONS_PER_EVENT),
  }),
} satisfies { [K in EventName]: z.ZodType<DomainEvents[K]> };

export const isEventName = (name: string): name is EventName => Object.hasOwn(domainEventSchemas, name);
