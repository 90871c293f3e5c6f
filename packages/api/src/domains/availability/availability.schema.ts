import { z } from "zod";
import { requireAChange } from "#platform/fields/fields.ts";
import { routeMeta } from "#platform/meta.ts";
import { named } from "#platform/named.ts";
import {
  availabilityExceptionExample,
  availabilityRuleExample,
  EXAMPLE_DOCTOR_ID,
  ZAvailabilityId,
  ZExceptionId,
  ZExceptionKind,
  ZSlotMinutes,
  ZWeekday,
} from "./availability-dto.ts";
import { exceptionList, MAX_EXCEPTION_DAYS } from "./exceptions.service.ts";
import { ruleList } from "./rules.service.ts";
import { ZLocalDate, ZWallTime } from "./wall-time.ts";

const route = routeMeta(["availability"]);

const readable = "Public, like the doctor's profile: a doctor the public cannot see is NOT_FOUND.";
const managed =
  "The doctor themselves, or ADMIN. Another doctor's, or one of a doctor the public cannot see, is NOT_FOUND.";

/** The REST route of each procedure. */
export const availabilityRoutes = {
  list: route("GET", "/doctors/{id}/availability", "A doctor's weekly hours, through the week (public)", {
    protect: false,
    description: `${readable} Sorted by weekday (Monday first), then start time; inactive hours are listed too, flagged.`,
    errors: ["NOT_FOUND", "RATE_LIMITED"],
  }),
  create: route("POST", "/doctors/{id}/availability", "Add weekly hours to a doctor", {
    description: `${managed} Active hours never overlap other active hours of the doctor on the same weekday (409 AVAILABILITY_OVERLAP); touching ones (09:00–12:00, 12:00–13:00) do not overlap. \`slotMinutes\` defaults to the doctor's \`appointmentMinutes\`.`,
    errors: ["NOT_FOUND", "AVAILABILITY_OVERLAP"],
    successStatus: 201,
    successMessage: "Availability added",
  }),
  update: route("PATCH", "/doctors/availability/{availabilityId}", "Change weekly hours", {
    description: `${managed} The changed hours must not overlap other active hours (409 AVAILABILITY_OVERLAP); \`isActive: false\` pauses them.`,
    errors: ["NOT_FOUND", "AVAILABILITY_OVERLAP"],
    successMessage: "Availability updated",
  }),
  delete: route("DELETE", "/doctors/availability/{availabilityId}", "Remove weekly hours", {
    description: `${managed} Booked appointments stay: the doctor cancels them explicitly.`,
    errors: ["NOT_FOUND"],
    successMessage: "Availability removed",
  }),
  listExceptions: route(
    "GET",
    "/doctors/{id}/availability/exceptions",
    "A doctor's time off and extra hours, by start date (public)",
    {
      protect: false,
      description: `${readable} The exceptions that overlap \`from\`–\`to\`; without \`from\`, those that have not ended (today in the doctor's time zone).`,
      errors: ["NOT_FOUND", "RATE_LIMITED"],
    },
  ),
  createException: route("POST", "/doctors/{id}/availability/exceptions", "Add time off or extra hours", {
    description: `${managed} At most ${MAX_EXCEPTION_DAYS} days, not ended already. Time off never cancels an appointment: the doctor cancels explicitly. EXTRA_HOURS windows never overlap each other (409 AVAILABILITY_OVERLAP).`,
    errors: ["NOT_FOUND", "AVAILABILITY_OVERLAP"],
    successStatus: 201,
    successMessage: "Exception added",
  }),
  deleteException: route(
    "DELETE",
    "/doctors/availability/exceptions/{exceptionId}",
    "Remove time off or extra hours",
    { description: managed, errors: ["NOT_FOUND"], successMessage: "Exception removed" },
  ),
};

const ZIsActive = z.boolean().meta({ description: "False keeps the hours but offers no slot in them" });
export const ZRuleIdInput = z.strictObject({ availabilityId: ZAvailabilityId });
export const ZExceptionIdInput = z.strictObject({ exceptionId: ZExceptionId });

// Each filter is described before `.optional()`: the REST generator rebuilds optional query wrappers.
/** `id` is the doctor's. */
export const ZListRulesInput = ruleList.input.extend({
  id: z.uuid(),
  isActive: z.boolean().meta({ description: "Active (true) or inactive (false) hours only" }).optional(),
});

/**
 * Field formats only: the services check what spans fields (start before end, room for one slot,
 * the days of an exception, the times EXTRA_HOURS need), against the stored hours for a change.
 */
const ruleFields = {
  weekday: ZWeekday,
  startTime: ZWallTime,
  endTime: ZWallTime,
  slotMinutes: ZSlotMinutes.optional(),
  isActive: ZIsActive.optional(),
};

export const ZCreateRuleInput = named(
  z.strictObject({ id: z.uuid(), ...ruleFields }),
  "CreateAvailabilityRuleInput",
  {
    description:
      "Weekly hours: `weekday` (1 = Monday … 7 = Sunday), `startTime` before `endTime` (`HH:MM`, the doctor's time zone), `slotMinutes` (default: the doctor's `appointmentMinutes`), `isActive` (default true)",
    example: {
      id: EXAMPLE_DOCTOR_ID,
      weekday: availabilityRuleExample.weekday,
      startTime: availabilityRuleExample.startTime,
      endTime: availabilityRuleExample.endTime,
      slotMinutes: availabilityRuleExample.slotMinutes,
    },
  },
);

export const ZUpdateRuleInput = named(
  requireAChange(
    z.strictObject({
      availabilityId: ZAvailabilityId,
      weekday: ZWeekday.optional(),
      startTime: ZWallTime.optional(),
      endTime: ZWallTime.optional(),
      slotMinutes: ZSlotMinutes.optional(),
      isActive: ZIsActive.optional(),
    }),
    "availabilityId",
  ),
  "UpdateAvailabilityRuleInput",
  {
    description: "The fields to change (at least one); the changed hours are checked as a whole",
    example: { availabilityId: availabilityRuleExample.id, startTime: "08:30", endTime: "12:30" },
  },
);

/** `id` is the doctor's. */
export const ZListExceptionsInput = exceptionList.input
  .extend({
    id: z.uuid(),
    from: ZLocalDate.meta({
      description:
        "Exceptions that end on or after this date (`YYYY-MM-DD`); default: today in the doctor's time zone",
    }).optional(),
    to: ZLocalDate.meta({
      description: "Exceptions that start on or before this date (`YYYY-MM-DD`)",
    }).optional(),
  })
  .refine((input) => !input.from || !input.to || input.from <= input.to, {
    message: "to must not be before from",
    path: ["to"],
  });

export const ZCreateExceptionInput = named(
  z.strictObject({
    id: z.uuid(),
    kind: ZExceptionKind,
    startDate: ZLocalDate,
    endDate: ZLocalDate,
    startTime: ZWallTime.optional(),
    endTime: ZWallTime.optional(),
    slotMinutes: ZSlotMinutes.optional(),
  }),
  "CreateAvailabilityExceptionInput",
  {
    description: `TIME_OFF (without times: whole days) or EXTRA_HOURS (times required; \`slotMinutes\` defaults to the doctor's \`appointmentMinutes\`) on every day from \`startDate\` to \`endDate\`, at most ${MAX_EXCEPTION_DAYS} days, not ended already (in the doctor's time zone)`,
    example: {
      id: EXAMPLE_DOCTOR_ID,
      kind: availabilityExceptionExample.kind,
      startDate: availabilityExceptionExample.startDate,
      endDate: availabilityExceptionExample.endDate,
    },
  },
);
