import type { Database } from "@medical/db";
import {
  type AvailabilityException,
  type AvailabilityRule,
  availabilityExceptions,
  availabilityRules,
} from "@medical/db/schema";

type NewRule = typeof availabilityRules.$inferInsert;
type NewException = typeof availabilityExceptions.$inferInsert;

/** Weekly hours of `doctorId`: Sunday 09:00–12:00 in 30-minute slots unless overridden. */
export async function makeRule(
  db: Database,
  doctorId: string,
  overrides: Partial<Omit<NewRule, "doctorId">> = {},
): Promise<AvailabilityRule> {
  const [row] = await db
    .insert(availabilityRules)
    .values({ doctorId, weekday: 7, startMinute: 540, endMinute: 720, slotMinutes: 30, ...overrides })
    .returning();
  if (!row) throw new Error("makeRule inserted nothing");
  return row;
}

/** A whole day of time off for `doctorId` on `date` (`YYYY-MM-DD`) unless overridden. */
export async function makeException(
  db: Database,
  doctorId: string,
  date: string,
  overrides: Partial<Omit<NewException, "doctorId">> = {},
): Promise<AvailabilityException> {
  const [row] = await db
    .insert(availabilityExceptions)
    .values({ doctorId, kind: "TIME_OFF", startDate: date, endDate: date, ...overrides })
    .returning();
  if (!row) throw new Error("makeException inserted nothing");
  return row;
}
