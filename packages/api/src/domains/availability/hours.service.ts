import type { Executor } from "@medical/db";
import { availabilityExceptions, availabilityRules } from "@medical/db/schema";
import { and, asc, eq, gte, lte } from "drizzle-orm";
import type { ExceptionRow } from "./availability-dto.ts";

/** Active weekly hours: ISO `weekday`, minutes after local midnight, slot length. */
export interface WeeklyHours {
  weekday: number;
  startMinute: number;
  endMinute: number;
  slotMinutes: number;
}

/** A dated exception; `startMinute`/`endMinute` null for whole days (TIME_OFF only). */
export type DatedHours = Omit<ExceptionRow, "id" | "doctorId">;

/**
 * What slot generation reads of a doctor between two local dates (inclusive): the active weekly
 * hours (never overlapping on a weekday) and the exceptions that touch those dates. The hours of a
 * date are its weekday's rules plus its EXTRA_HOURS, less its TIME_OFF; EXTRA_HOURS may overlap
 * the weekly hours. No access check: the caller has resolved a doctor the public sees.
 */
export async function readHours(
  db: Executor,
  doctorId: string,
  range: { from: string; to: string },
): Promise<{ weekly: WeeklyHours[]; dated: DatedHours[] }> {
  const weekly = await db
    .select({
      weekday: availabilityRules.weekday,
      startMinute: availabilityRules.startMinute,
      endMinute: availabilityRules.endMinute,
      slotMinutes: availabilityRules.slotMinutes,
    })
    .from(availabilityRules)
    .where(and(eq(availabilityRules.doctorId, doctorId), eq(availabilityRules.isActive, true)))
    .orderBy(asc(availabilityRules.weekMinute));
  const dated = await db
    .select({
      kind: availabilityExceptions.kind,
      startDate: availabilityExceptions.startDate,
      endDate: availabilityExceptions.endDate,
      startMinute: availabilityExceptions.startMinute,
      endMinute: availabilityExceptions.endMinute,
      slotMinutes: availabilityExceptions.slotMinutes,
    })
    .from(availabilityExceptions)
    .where(
      and(
        eq(availabilityExceptions.doctorId, doctorId),
        lte(availabilityExceptions.startDate, range.to),
        gte(availabilityExceptions.endDate, range.from),
      ),
    )
    .orderBy(asc(availabilityExceptions.startDate), asc(availabilityExceptions.id));
  return { weekly, dated };
}
