import { sql } from "drizzle-orm";
import { check, index, pgTable } from "drizzle-orm/pg-core";
import { id, ref, timestamptz } from "./columns.ts";
import { doctors } from "./doctors.ts";

export const AVAILABILITY_EXCEPTION_KINDS = ["TIME_OFF", "EXTRA_HOURS"] as const;
export type AvailabilityExceptionKind = (typeof AVAILABILITY_EXCEPTION_KINDS)[number];

/**
 * A doctor's weekly hours: on ISO `weekday` (1 = Monday … 7 = Sunday), from `start_minute` to
 * `end_minute` (minutes after midnight, wall clock in the doctor's `timezone`), cut into slots of
 * `slot_minutes`. Active rules of one doctor never overlap on a weekday: an exclusion constraint
 * (drizzle/0008, btree_gist) holds it under concurrency; drizzle-kit cannot express it.
 * `week_minute` orders a doctor's rules through the week (the list's keyset).
 */
export const availabilityRules = pgTable(
  "availability_rules",
  (t) => ({
    id: id(),
    doctorId: ref(() => doctors.id),
    weekday: t.smallint().notNull(),
    startMinute: t.smallint().notNull(),
    endMinute: t.smallint().notNull(),
    slotMinutes: t.smallint().notNull(),
    isActive: t.boolean().notNull().default(true),
    weekMinute: t
      .integer()
      .notNull()
      .generatedAlwaysAs(
        (): ReturnType<typeof sql> =>
          sql`${availabilityRules.weekday} * 1440 + ${availabilityRules.startMinute}`,
      ),
    createdAt: timestamptz().notNull().defaultNow(),
    updatedAt: timestamptz().notNull().defaultNow(),
  }),
  (t) => [
    index("availability_rules_doctor_week").on(t.doctorId, t.weekMinute, t.id),
    check("availability_rules_weekday", sql`${t.weekday} between 1 and 7`),
    check(
      "availability_rules_times",
      sql`0 <= ${t.startMinute} and ${t.startMinute} < ${t.endMinute} and ${t.endMinute} < 1440`,
    ),
    check(
      "availability_rules_slot",
      sql`${t.slotMinutes} between 5 and 240 and ${t.slotMinutes} <= ${t.endMinute} - ${t.startMinute}`,
    ),
  ],
);

/**
 * Dated changes to the weekly hours, on every day from `start_date` to `end_date` (inclusive,
 * local dates in the doctor's zone): TIME_OFF removes hours (the whole day without times),
 * EXTRA_HOURS adds the window `start_minute`–`end_minute` cut into `slot_minutes`. EXTRA_HOURS
 * windows of one doctor never overlap each other (an exclusion constraint, drizzle/0008); they
 * may overlap the weekly rules.
 */
export const availabilityExceptions = pgTable(
  "availability_exceptions",
  (t) => ({
    id: id(),
    doctorId: ref(() => doctors.id),
    kind: t.varchar({ length: 20 }).notNull().$type<AvailabilityExceptionKind>(),
    startDate: t.date({ mode: "string" }).notNull(),
    endDate: t.date({ mode: "string" }).notNull(),
    startMinute: t.smallint(),
    endMinute: t.smallint(),
    slotMinutes: t.smallint(),
    createdAt: timestamptz().notNull().defaultNow(),
  }),
  (t) => [
    index("availability_exceptions_doctor_start").on(t.doctorId, t.startDate, t.id),
    check("availability_exceptions_kind", sql`${t.kind} in ('TIME_OFF', 'EXTRA_HOURS')`),
    check(
      "availability_exceptions_dates",
      sql`${t.startDate} <= ${t.endDate} and ${t.endDate} - ${t.startDate} <= 365`,
    ),
    check(
      "availability_exceptions_times",
      sql`(${t.startMinute} is null and ${t.endMinute} is null) or (0 <= ${t.startMinute} and ${t.startMinute} < ${t.endMinute} and ${t.endMinute} < 1440)`,
    ),
    check(
      "availability_exceptions_slot",
      sql`(${t.kind} = 'TIME_OFF' and ${t.slotMinutes} is null) or (${t.kind} = 'EXTRA_HOURS' and ${t.startMinute} is not null and ${t.slotMinutes} between 5 and 240 and ${t.slotMinutes} <= ${t.endMinute} - ${t.startMinute})`,
    ),
  ],
);

export type AvailabilityRule = typeof availabilityRules.$inferSelect;
export type AvailabilityException = typeof availabilityExceptions.$inferSelect;
