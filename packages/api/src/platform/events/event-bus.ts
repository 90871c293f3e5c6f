import { EventEmitter, on } from "node:events";
import type {
  AppointmentStatus,
  ClaimStatus,
  MedicalRecordKind,
  SessionRevocationReason,
} from "@medical/db/schema";

/** Small payloads (ids and a version), never whole records: subscribers re-read what they need. */
export interface DomainEvents {
  "session.revoked": { v: 1; userId: string; sessionIds: string[]; reason: SessionRevocationReason };
  /** The account's password was changed by its owner or through a reset link. */
  "user.password_changed": { v: 1; userId: string };
  /**
   * A login started a session; `newClient` when no earlier session of the account came from the
   * same address and user agent (what the owner is told about).
   */
  "user.signed_in": { v: 1; userId: string; sessionId: string; newClient: boolean };
  /** An ADMIN's announcement, for one account or every active account of a role. */
  "announcement.published": { v: 1; announcementId: string };
  /**
   * A reminder job came due (decision record 0035): emitted by the reminder worker in the
   * transaction that marks the job DONE; the notifications consumer tells the patient.
   */
  "reminder.due": { v: 1; jobId: string; appointmentId: string; startsAt: string; offsetMinutes: number };
  /**
   * Published (never stored: the notification rows are the record) after the notifications
   * consumer commits notifications, each for `userId` at the user's `position`: at most
   * NOTIFICATIONS_PER_EVENT per event, so an announcement to 10k accounts is a few hundred
   * messages on a shared bus, not 10k. Live streams read the rows they serve, once per event.
   */
  "notifications.created": { v: 1; items: CreatedNotification[] };
  "appointment.booked": AppointmentEvent;
  "appointment.rescheduled": AppointmentEvent;
  "appointment.cancelled": AppointmentEvent;
  /** A SCHEDULED appointment closed as COMPLETED or NO_SHOW (a cancellation is `appointment.cancelled`). */
  "appointment.status_changed": AppointmentEvent & {
    from: AppointmentStatus;
    to: Exclude<AppointmentStatus, "SCHEDULED" | "CANCELLED">;
  };
  "medical_record.created": MedicalRecordEvent;
  /** A new version of the record (`version`, the one written). */
  "medical_record.updated": MedicalRecordEvent & { version: number };
  /** Soft-deleted: hidden from everyone but ADMIN, never erased. */
  "medical_record.deleted": MedicalRecordEvent;
  /** A billing entry was created for a patient (by STAFF or ADMIN). */
  "bill.issued": {
    v: 1;
    billingEntryId: string;
    patientId: string;
    appointmentId: string | null;
    actorId: string;
  };
  /** A claim was submitted (`from: null`) or moved along its transition table. */
  "claim.status_changed": {
    v: 1;
    claimId: string;
    policyId: string;
    billingEntryId: string;
    patientId: string;
    from: ClaimStatus | null;
    to: ClaimStatus;
    actorId: string;
  };
}

/** A notification the consumer committed: its recipient, its id and the recipient's position for it. */
export interface CreatedNotification {
  userId: string;
  notificationId: string;
  position: number;
}

/** Items per `notifications.created`: about 100 bytes each, under a shared bus's message limit. */
export const NOTIFICATIONS_PER_EVENT = 60;

/** An appointment's change: its parties and who acted (the patient, the doctor, STAFF or ADMIN). */
export interface AppointmentEvent {
  v: 1;
  appointmentId: string;
  doctorId: string;
  patientId: string;
  actorId: string;
}
/**
 * A medical record's change: its patient, its author doctor (null for a note the patient wrote)
 * and who acted.
 */
export interface MedicalRecordEvent {
  v: 1;
  recordId: string;
  patientId: string;
  doctorId: string | null;
  kind: MedicalRecordKind;
  actorId: string;
}
export type EventName = keyof DomainEvents;

export interface EventBus {
  /** Called after the change is committed. */
  publish<K extends EventName>(name: K, event: DomainEvents[K]): void;
  subscribe<K extends EventName>(name: K, listener: (event: DomainEvents[K]) => void): () => void;
  stream<K extends EventName>(name: K, signal: AbortSignal): AsyncIterable<DomainEvents[K]>;
}

/** A bus that reaches other processes (PostgreSQL NOTIFY, Redis): it holds connections until closed. */
export interface SharedEventBus extends EventBus {
  /** Stops sending and listening; later publishes reach this process's subscribers only. */
  close(): Promise<void>;
}

/**
 * This process's subscribers. `deliver` hands them an event without the compiler's check of its
 * payload: the shared buses call it with what they validated against the event's schema.
 */
export interface LocalSubscribers extends Omit<EventBus, "publish"> {
  deliver(name: EventName, event: unknown): void;
}

export function createLocalSubscribers(): LocalSubscribers {
  const emitter = new EventEmitter();
  // Every open socket and subscription listens; the default cap of 10 would only warn.
  emitter.setMaxListeners(0);
  return {
    deliver(name, event) {
      emitter.emit(name, event);
    },
    subscribe(name, listener) {
      emitter.on(name, listener);
      return () => emitter.off(name, listener);
    },
    async *stream(name, signal) {
      for await (const [event] of on(emitter, name, { signal })) yield event;
    },
  };
}

/** One process (PGlite, or a single instance): the default. Shared buses are in shared-bus.ts. */
export function createInProcessEventBus(): EventBus {
  const { deliver, subscribe, stream } = createLocalSubscribers();
  return { publish: deliver, subscribe, stream };
}
