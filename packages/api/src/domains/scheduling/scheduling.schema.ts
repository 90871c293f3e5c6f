import { z } from "zod";
import { ZLocalDate } from "#domains/availability/public.ts";
import { text, ZTimestamp } from "#platform/fields/fields.ts";
import {
  IDEMPOTENCY_ERRORS,
  idempotencyNote,
  KEY_TRANSPORTS,
  ZIdempotencyHeader,
  ZIdempotencyKey,
} from "#platform/idempotency/idempotency.ts";
import { routeMeta } from "#platform/meta.ts";
import { named } from "#platform/named.ts";

/** The longest range of the slots route, in days (both ends included). */
export const MAX_SLOT_RANGE_DAYS = 62;
export const MAX_REASON_LENGTH = 500;

const appointmentsRoute = routeMeta(["appointments"]);
const availabilityRoute = routeMeta(["availability"]);

const bookingChecks =
  "It must be a start the slots route offers (409 OUTSIDE_AVAILABILITY), past the doctor's notice and within their horizon (409 OUTSIDE_BOOKING_WINDOW), free (409 SLOT_TAKEN: the database refuses overlapping appointments of a doctor, races included), not overlapping another appointment of the patient (409 PATIENT_OVERLAP), and within the cap of upcoming appointments one patient holds with one doctor (409 BOOKING_CAP_REACHED).";
const seers =
  "Its patient, its doctor, STAFF and ADMIN; anyone else gets NOT_FOUND, as for an appointment that does not exist.";

export const slotsRoutes = {
  slots: availabilityRoute(
    "GET",
    "/doctors/{id}/availability/slots",
    "A doctor's bookable slots between two dates (public)",
    {
      protect: false,
      description: `Public, rate-limited like the search. \`from\` and \`to\` are dates in the doctor's time zone, both included, at most ${MAX_SLOT_RANGE_DAYS} days. Every date of the range is listed, in order (\`slots: []\` when none is free); the slots are those of the doctor's hours and exceptions, minus the past, the notice, the horizon and booked appointments, with UTC instants and the local start time. A doctor the public cannot see is NOT_FOUND.`,
      errors: ["NOT_FOUND", "RATE_LIMITED"],
    },
  ),
};

export const appointmentRoutes = {
  book: appointmentsRoute("POST", "/appointments", "Book an appointment", {
    description: `A PATIENT books for themselves (409 PROFILE_REQUIRED without a profile; \`patientId\`, if sent, must be their own, else 403); STAFF and ADMIN book for the patient named by \`patientId\` (required); a DOCTOR cannot book (403). ${bookingChecks} ${idempotencyNote("books nothing more")}`,
    errors: [
      "NOT_FOUND",
      "PROFILE_REQUIRED",
      "OUTSIDE_AVAILABILITY",
      "OUTSIDE_BOOKING_WINDOW",
      "SLOT_TAKEN",
      "PATIENT_OVERLAP",
      "BOOKING_CAP_REACHED",
      ...IDEMPOTENCY_ERRORS,
    ],
    requestHeaders: ZIdempotencyHeader,
    successStatus: 201,
    successMessage: "Appointment booked",
  }),
  get: appointmentsRoute("GET", "/appointments/{id}", "One appointment, with its history", {
    description: `${seers} Its \`reason\` is PHI: every read is audited.`,
    errors: ["NOT_FOUND"],
  }),
  reschedule: appointmentsRoute("PATCH", "/appointments/{id}/reschedule", "Move an appointment", {
    description: `${seers} Only a SCHEDULED appointment moves (409 INVALID_TRANSITION). The new start passes every booking check: ${bookingChecks} The move is atomic: the old time is freed, the id stays, and the previous times join the appointment's \`history\`. Moving it to the time it has changes nothing.`,
    errors: [
      "NOT_FOUND",
      "INVALID_TRANSITION",
      "OUTSIDE_AVAILABILITY",
      "OUTSIDE_BOOKING_WINDOW",
      "SLOT_TAKEN",
      "PATIENT_OVERLAP",
      "BOOKING_CAP_REACHED",
    ],
    successMessage: "Appointment rescheduled",
  }),
};

/** `POST /appointments/{id}/reschedule`: the same operation, for the clients that send a POST. */
export const reschedulePostRoute = appointmentsRoute(
  "POST",
  "/appointments/{id}/reschedule",
  "Move an appointment (POST, as existing clients send it)",
  {
    description: `The same as \`PATCH /appointments/{id}/reschedule\`, which new clients should use. ${seers}`,
    errors: appointmentRoutes.reschedule.errors,
    successMessage: "Appointment rescheduled",
  },
);

const MS_PER_DAY = 86_400_000;
const daysFromTo = ({ from, to }: { from: string; to: string }) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / MS_PER_DAY) + 1;

/** `id` is the doctor's. */
export const ZSlotsInput = z
  .strictObject({
    id: z.uuid(),
    from: ZLocalDate.meta({ description: "First date (`YYYY-MM-DD`, the doctor's time zone)" }),
    to: ZLocalDate.meta({
      description: `Last date, included: on or after \`from\`, at most ${MAX_SLOT_RANGE_DAYS} days in all`,
    }),
  })
  .refine((range) => range.from <= range.to, { message: "to must not be before from", path: ["to"] })
  .refine((range) => range.from > range.to || daysFromTo(range) <= MAX_SLOT_RANGE_DAYS, {
    message: `The range covers at most ${MAX_SLOT_RANGE_DAYS} days`,
    path: ["to"],
  });

const ZSlot = z
  .object({
    start: ZTimestamp,
    end: ZTimestamp,
    localStart: z.string().meta({ description: "The start on the doctor's wall clock, `HH:MM`" }),
  })
  .meta({ id: "Slot", description: "A bookable slot `[start, end)` in UTC" });

export const ZSlotSchedule = named(
  z.object({
    timezone: z.string().meta({ description: "The doctor's IANA time zone" }),
    days: z.array(
      z
        .object({
          date: z.string().meta({ description: "A local date `YYYY-MM-DD`" }),
          slots: z.array(ZSlot),
        })
        .meta({ id: "SlotDay", description: "The bookable slots of one local date, by start" }),
    ),
  }),
  "SlotSchedule",
  {
    description: "Bookable slots grouped by the doctor's local date: every date of the range, in order",
    example: {
      timezone: "Africa/Algiers",
      days: [
        {
          date: "2026-12-01",
          slots: [
            {
              start: new Date("2026-12-01T08:00:00.000Z"),
              end: new Date("2026-12-01T08:30:00.000Z"),
              localStart: "09:00",
            },
            {
              start: new Date("2026-12-01T08:30:00.000Z"),
              end: new Date("2026-12-01T09:00:00.000Z"),
              localStart: "09:30",
            },
          ],
        },
        { date: "2026-12-02", slots: [] },
      ],
    },
  },
);

const ZStartsAt = z.iso
  .datetime({ offset: true })
  .meta({ description: "The slot's start: an ISO-8601 instant, as the slots route gives it" });

export const ZBookInput = named(
  z.strictObject({
    doctorId: z.uuid(),
    startsAt: ZStartsAt,
    reason: text(MAX_REASON_LENGTH)
      .meta({ description: "Why the patient comes (PHI: encrypted at rest, reads audited)" })
      .optional(),
    patientId: z
      .uuid()
      .meta({ description: "Required for STAFF and ADMIN; a PATIENT books for themselves" })
      .optional(),
    idempotencyKey: ZIdempotencyKey.optional(),
  }),
  "BookAppointmentInput",
  {
    description: `A slot of a doctor for a patient. ${KEY_TRANSPORTS}`,
    example: {
      doctorId: "5b2f1c9e-8a4d-4e6b-9f3a-2c7d1e8b4a60",
      startsAt: "2026-12-01T08:30:00.000Z",
      reason: "Douleurs thoraciques à l'effort depuis deux semaines",
    },
  },
);
export type BookInput = Omit<z.infer<typeof ZBookInput>, "idempotencyKey">;

export const ZAppointmentIdInput = z.strictObject({ id: z.uuid() });

export const ZRescheduleInput = named(
  z.strictObject({ id: z.uuid(), startsAt: ZStartsAt }),
  "RescheduleAppointmentInput",
  {
    description: "The appointment's new start: a slot the doctor offers",
    example: { id: "c4e8a2f6-3b7d-4a1e-9c5f-8d2b6e4a1f73", startsAt: "2026-12-03T13:00:00.000Z" },
  },
);
