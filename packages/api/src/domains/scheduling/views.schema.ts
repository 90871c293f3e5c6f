import { APPOINTMENT_STATUSES } from "@medical/db/schema";
import { z } from "zod";
import { ZInstant } from "#platform/fields/fields.ts";
import { pageOf, ZOrder } from "#platform/list.ts";
import { routeMeta } from "#platform/meta.ts";
import { ZAppointmentSummary } from "./appointment-dto.ts";
import { appointmentList } from "./views.service.ts";

const route = routeMeta(["appointments"]);

const listed =
  "Keyset pages by start, then id (`cursor` from the previous page). Items are summaries without `reason` (`GET /appointments/{id}` has it): both parties, UTC instants and the doctor's time zone. A page carries cancellation reasons (PHI): every page read is audited with the ids it returned.";

/** The REST route of each procedure. Literal paths: they come before `/appointments/{id}`. */
export const viewRoutes = {
  mine: route("GET", "/appointments/me", "The caller's appointments (PATIENT)", {
    description: `${listed} Empty until the caller has a patient profile.`,
  }),
  doctorMine: route("GET", "/appointments/doctor/me", "The caller's appointments as a doctor (DOCTOR)", {
    description: listed,
  }),
  list: route("GET", "/appointments", "Every appointment, by doctor or patient (STAFF, ADMIN)", {
    description: `${listed} \`doctorId\` and \`patientId\` narrow the list to one doctor's or one patient's.`,
  }),
};

// Each filter is described before `.optional()`: the REST generator rebuilds optional query wrappers.
const filters = {
  order: ZOrder.meta({
    description: "Ascending or descending by start; default descending with `when=past`, ascending otherwise",
  }).optional(),
  when: z
    .enum(["upcoming", "past"])
    .meta({
      description:
        "`upcoming`: starting now or later (the soonest first); `past`: started before now (the latest first)",
    })
    .optional(),
  status: z
    .array(z.enum(APPOINTMENT_STATUSES))
    .min(1)
    .max(APPOINTMENT_STATUSES.length)
    .meta({
      description: "One status or several (repeat the parameter: `status=SCHEDULED&status=COMPLETED`)",
    })
    .optional(),
  from: ZInstant.meta({ description: "Starting at or after this instant" }).optional(),
  to: ZInstant.meta({ description: "Starting before this instant" }).optional(),
};

const range = (input: { from?: Date | undefined; to?: Date | undefined }) =>
  !input.from || !input.to || input.from < input.to;
const rangeIssue = { message: "to must be after from", path: ["to"] };

export const ZMyAppointmentsInput = appointmentList.input.extend(filters).refine(range, rangeIssue);

export const ZAppointmentsInput = appointmentList.input
  .extend({
    ...filters,
    doctorId: z.uuid().meta({ description: "One doctor's appointments" }).optional(),
    patientId: z.uuid().meta({ description: "One patient's appointments" }).optional(),
  })
  .refine(range, rangeIssue);

export const ZAppointmentPage = pageOf(ZAppointmentSummary, "AppointmentSummaryPage");
