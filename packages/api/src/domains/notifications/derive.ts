import type { Executor } from "@medical/db";
import type { DomainEventRow, NotificationData, NotificationType } from "@medical/db/schema";
import type { z } from "zod";
import type {
  AppointmentEvent,
  DomainEvents,
  EventName,
  MedicalRecordEvent,
} from "#platform/events/event-bus.ts";
import { domainEventSchemas } from "#platform/events/event-schemas.ts";
import {
  type ActingAccount,
  unsafeActingAccount,
  unsafeActiveAccountsOfRole,
  unsafeAppointmentFacts,
  unsafeFindAnnouncement,
  unsafePatientAccount,
} from "./facts.ts";
import {
  type AppointmentChange,
  appointmentText,
  billIssuedText,
  type ChangedBy,
  claimText,
  type NotificationText,
  newSignInText,
  passwordChangedText,
  type Reader,
  type RecordAuthor,
  recordText,
  reminderText,
} from "./messages.ts";

/** One account to tell, what to link to, and the text in the account's language and zone. */
export interface Recipient {
  userId: string;
  data: NotificationData;
  text(reader: Reader): NotificationText;
}

/** What an event becomes: notifications of one type for some accounts. */
export interface Derivation {
  type: NotificationType;
  /**
   * False for security notices (password changed, new sign-in): they are the owner's warning that
   * someone else holds the account, and whoever holds it could mute them first.
   */
  respectsPreferences: boolean;
  recipients: Recipient[];
}

/** An outbox event whose payload is not the shape its type promises: it can never be derived. */
export class UnreadableEvent extends Error {
  override readonly name = "UnreadableEvent";
}

type Derive = (db: Executor, event: DomainEventRow) => Promise<Derivation | undefined>;

/** A derivation of an event whose stored payload is first checked against the event's schema. */
function deriver<P>(
  schema: z.ZodType<P>,
  derive: (db: Executor, payload: P, event: DomainEventRow) => Promise<Derivation | undefined>,
): Derive {
  return async (db, event) => {
    const payload = schema.safeParse(event.payload);
    if (!payload.success) throw new UnreadableEvent(`${event.type} ${event.id}: unexpected payload`);
    return derive(db, payload.data, event);
  };
}

/** Who acted, as the account `readerId` sees it. */
function changedBy(
  actor: ActingAccount | undefined,
  readerId: string,
  parties: { doctor: string; patient: string },
): ChangedBy {
  if (!actor) return "clinic";
  if (actor.id === readerId) return "self";
  if (actor.id === parties.doctor) return "doctor";
  if (actor.id === parties.patient) return "patient";
  return actor.role === "STAFF" ? "staff" : actor.role === "ADMIN" ? "admin" : "clinic";
}

/**
 * Both parties of the appointment, each told who acted (or nobody named when it was them). The
 * time is the appointment's as it stands when the event is consumed (within a second or so).
 */
const appointmentDerivation =
  <P extends AppointmentEvent>(changeOf: (payload: P) => AppointmentChange) =>
  async (db: Executor, payload: P): Promise<Derivation | undefined> => {
    const facts = await unsafeAppointmentFacts(db, payload.appointmentId, payload.actorId);
    if (!facts) return undefined;
    const parties = { doctor: facts.doctorUserId, patient: facts.patientUserId };
    const recipient = (side: "patient" | "doctor", userId: string): Recipient => ({
      userId,
      data: { appointmentId: payload.appointmentId },
      text: (reader) =>
        appointmentText(reader, {
          change: changeOf(payload),
          side,
          by: changedBy(facts.actor, userId, parties),
          doctorName: facts.doctorLastName,
          patientName: `${facts.patientFirstName} ${facts.patientLastName}`,
          startsAt: facts.startsAt,
        }),
    });
    return {
      type: "APPOINTMENT",
      respectsPreferences: true,
      recipients: [recipient("patient", facts.patientUserId), recipient("doctor", facts.doctorUserId)],
    };
  };

/** The patient, unless they wrote it themselves; the author named when a doctor. */
const recordDerivation =
  (change: "created" | "updated") =>
  async (db: Executor, payload: MedicalRecordEvent): Promise<Derivation | undefined> => {
    const patientUserId = await unsafePatientAccount(db, payload.patientId);
    if (!patientUserId || patientUserId === payload.actorId) return undefined;
    const actor = await unsafeActingAccount(db, payload.actorId);
    const by: RecordAuthor =
      actor?.role === "DOCTOR"
        ? { doctorName: actor.lastName }
        : actor?.role === "STAFF"
          ? "staff"
          : actor?.role === "ADMIN"
            ? "admin"
            : "clinic";
    return {
      type: "RECORD",
      respectsPreferences: true,
      recipients: [
        {
          userId: patientUserId,
          data: { recordId: payload.recordId },
          text: (r) => recordText(r, { change, by }),
        },
      ],
    };
  };

/** To one account, with a text of its own. */
async function toPatient(
  db: Executor,
  patientId: string,
  type: NotificationType,
  data: NotificationData,
  text: Recipient["text"],
): Promise<Derivation | undefined> {
  const userId = await unsafePatientAccount(db, patientId);
  return userId ? { type, respectsPreferences: true, recipients: [{ userId, data, text }] } : undefined;
}

const securityNotice = (userId: string, data: NotificationData, text: Recipient["text"]): Derivation => ({
  type: "SYSTEM",
  respectsPreferences: false,
  recipients: [{ userId, data, text }],
});

/** The events notifications are derived from; the consumer moves past any other. */
export const DERIVED_EVENTS = [
  "appointment.booked",
  "appointment.rescheduled",
  "appointment.cancelled",
  "appointment.status_changed",
  "medical_record.created",
  "medical_record.updated",
  "bill.issued",
  "claim.status_changed",
  "user.password_changed",
  "user.signed_in",
  "announcement.published",
  "reminder.due",
] as const satisfies readonly EventName[];
type DerivedEvent = (typeof DERIVED_EVENTS)[number];

/** The derivation of an outbox event's type, if notifications are derived from it. */
export function derivationOf(type: string): Derive | undefined {
  const name = DERIVED_EVENTS.find((derived) => derived === type);
  return name && derivations[name];
}

const derivations: Record<DerivedEvent, Derive> = {
  /**
   * The patient only: the doctor has the day's agenda in front of them, and two more notices per
   * appointment would bury the ones that need them. Nothing when the appointment changed since the
   * worker sent it: the change's own notification says so.
   */
  "reminder.due": deriver(domainEventSchemas["reminder.due"], async (db, payload) => {
    const facts = await unsafeAppointmentFacts(db, payload.appointmentId, null);
    if (facts?.status !== "SCHEDULED" || facts.startsAt.getTime() !== Date.parse(payload.startsAt))
      return undefined;
    const { doctorLastName, startsAt } = facts;
    return {
      type: "APPOINTMENT",
      respectsPreferences: true,
      recipients: [
        {
          userId: facts.patientUserId,
          data: { appointmentId: payload.appointmentId },
          text: (reader) => reminderText(reader, { doctorName: doctorLastName, startsAt }),
        },
      ],
    };
  }),
  "appointment.booked": deriver(
    domainEventSchemas["appointment.booked"],
    appointmentDerivation(() => "booked"),
  ),
  "appointment.rescheduled": deriver(
    domainEventSchemas["appointment.rescheduled"],
    appointmentDerivation(() => "rescheduled"),
  ),
  "appointment.cancelled": deriver(
    domainEventSchemas["appointment.cancelled"],
    appointmentDerivation(() => "cancelled"),
  ),
  "appointment.status_changed": deriver(
    domainEventSchemas["appointment.status_changed"],
    appointmentDerivation((payload: DomainEvents["appointment.status_changed"]) =>
      payload.to === "COMPLETED" ? "completed" : "noShow",
    ),
  ),
  "medical_record.created": deriver(
    domainEventSchemas["medical_record.created"],
    recordDerivation("created"),
  ),
  "medical_record.updated": deriver(
    domainEventSchemas["medical_record.updated"],
    recordDerivation("updated"),
  ),
  "bill.issued": deriver(domainEventSchemas["bill.issued"], (db, payload) =>
    toPatient(
      db,
      payload.patientId,
      "BILLING",
      {
        billingEntryId: payload.billingEntryId,
        ...(payload.appointmentId ? { appointmentId: payload.appointmentId } : {}),
      },
      billIssuedText,
    ),
  ),
  "claim.status_changed": deriver(domainEventSchemas["claim.status_changed"], (db, payload) =>
    toPatient(
      db,
      payload.patientId,
      "BILLING",
      { claimId: payload.claimId, billingEntryId: payload.billingEntryId },
      (reader) => claimText(reader, payload.to),
    ),
  ),
  "user.password_changed": deriver(domainEventSchemas["user.password_changed"], async (_db, payload, event) =>
    securityNotice(payload.userId, {}, (reader) => passwordChangedText(reader, event.occurredAt)),
  ),
  "user.signed_in": deriver(domainEventSchemas["user.signed_in"], async (_db, payload, event) =>
    payload.newClient
      ? securityNotice(payload.userId, { sessionId: payload.sessionId }, (reader) =>
          newSignInText(reader, event.occurredAt),
        )
      : undefined,
  ),
  "announcement.published": deriver(domainEventSchemas["announcement.published"], async (db, payload) => {
    const announcement = await unsafeFindAnnouncement(db, payload.announcementId);
    if (!announcement) return undefined;
    const audience = announcement.userId
      ? [announcement.userId]
      : announcement.role
        ? await unsafeActiveAccountsOfRole(db, announcement.role)
        : [];
    // The ADMIN's own words, the same in every language.
    const text = () => ({ title: announcement.title, body: announcement.body });
    return {
      type: "SYSTEM",
      respectsPreferences: true,
      recipients: audience.map((userId) => ({ userId, data: { announcementId: announcement.id }, text })),
    };
  }),
};
