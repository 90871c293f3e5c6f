import {
  AVAILABILITY_EXCEPTION_KINDS,
  type AvailabilityException,
  type AvailabilityRule,
} from "@medical/db/schema";
import { z } from "zod";
import { named } from "#platform/named.ts";
import { wallTimeOf, ZLocalDate, ZWallTime } from "./wall-time.ts";

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export const ZWeekday = z
  .number()
  .int()
  .min(1)
  .max(7)
  .meta({ description: "ISO weekday: 1 = Monday … 7 = Sunday" });
export const ZSlotMinutes = z
  .number()
  .int()
  .min(5)
  .max(240)
  .meta({ description: "The length of one bookable slot, 5 to 240 minutes" });
export const ZExceptionKind = z
  .enum(AVAILABILITY_EXCEPTION_KINDS)
  .meta({ description: "TIME_OFF removes hours; EXTRA_HOURS adds some" });

/** The path ids of one rule and one exception (`/doctors/availability/{availabilityId}`). */
export const ZAvailabilityId = z.uuid().meta({ description: "The weekly hours' id" });
export const ZExceptionId = z.uuid().meta({ description: "The exception's id" });

/** The document's example doctor (doctor-dto.ts), whose hours the examples show. */
export const EXAMPLE_DOCTOR_ID = "5b2f1c9e-8a4d-4e6b-9f3a-2c7d1e8b4a60";

export const availabilityRuleExample = {
  id: "0f6d2c1a-7b3e-4a59-8c1d-5e2f9a7b3c41",
  doctorId: EXAMPLE_DOCTOR_ID,
  weekday: 7,
  startTime: "09:00",
  endTime: "12:00",
  slotMinutes: 30,
  isActive: true,
};

export const ZAvailabilityRuleDto = named(
  z.object({
    id: z.uuid(),
    doctorId: z.uuid(),
    weekday: ZWeekday,
    startTime: ZWallTime,
    endTime: ZWallTime,
    slotMinutes: ZSlotMinutes,
    isActive: z.boolean().meta({ description: "Inactive hours are kept but offer no slot" }),
  }),
  "AvailabilityRule",
  {
    description:
      "Weekly hours of a doctor: every `weekday`, from `startTime` to `endTime` (wall clock in the doctor's time zone), cut into slots of `slotMinutes`",
    example: availabilityRuleExample,
  },
);
export type AvailabilityRuleDto = z.infer<typeof ZAvailabilityRuleDto>;

export const availabilityExceptionExample = {
  id: "7c4e1b9d-2a6f-4d83-b5e0-3f8a1c6d9e27",
  doctorId: EXAMPLE_DOCTOR_ID,
  kind: "TIME_OFF" as const,
  startDate: "2026-12-24",
  endDate: "2026-12-26",
  startTime: null,
  endTime: null,
  slotMinutes: null,
};

export const ZAvailabilityExceptionDto = named(
  z.object({
    id: z.uuid(),
    doctorId: z.uuid(),
    kind: ZExceptionKind,
    startDate: ZLocalDate,
    endDate: ZLocalDate,
    startTime: ZWallTime.nullable().meta({ description: "Null: the whole of each day" }),
    endTime: ZWallTime.nullable().meta({ description: "Null: the whole of each day" }),
    slotMinutes: ZSlotMinutes.nullable().meta({ description: "EXTRA_HOURS only: the slot length" }),
  }),
  "AvailabilityException",
  {
    description:
      "A dated change to a doctor's weekly hours, on every day from `startDate` to `endDate` (inclusive, in the doctor's time zone): TIME_OFF removes the window `startTime`–`endTime` (the whole day without times); EXTRA_HOURS adds it, cut into slots of `slotMinutes`",
    example: availabilityExceptionExample,
  },
);
export type AvailabilityExceptionDto = z.infer<typeof ZAvailabilityExceptionDto>;

export type RuleRow = Pick<
  AvailabilityRule,
  "id" | "doctorId" | "weekday" | "startMinute" | "endMinute" | "slotMinutes" | "isActive" | "weekMinute"
>;
export type ExceptionRow = Pick<
  AvailabilityException,
  "id" | "doctorId" | "kind" | "startDate" | "endDate" | "startMinute" | "endMinute" | "slotMinutes"
>;

export function toRuleDto(row: RuleRow): AvailabilityRuleDto {
  return {
    id: row.id,
    doctorId: row.doctorId,
    weekday: row.weekday,
    startTime: wallTimeOf(row.startMinute),
    endTime: wallTimeOf(row.endMinute),
    slotMinutes: row.slotMinutes,
    isActive: row.isActive,
  };
}

export function toExceptionDto(row: ExceptionRow): AvailabilityExceptionDto {
  return {
    id: row.id,
    doctorId: row.doctorId,
    kind: row.kind,
    startDate: row.startDate,
    endDate: row.endDate,
    startTime: row.startMinute === null ? null : wallTimeOf(row.startMinute),
    endTime: row.endMinute === null ? null : wallTimeOf(row.endMinute),
    slotMinutes: row.slotMinutes,
  };
}
