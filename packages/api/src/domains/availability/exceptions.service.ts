import { pgErrorFacts } from "@medical/db";
import { type AvailabilityExceptionKind, availabilityExceptions } from "@medical/db/schema";
import { and, eq, gte, lte } from "drizzle-orm";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError, invalidField } from "#platform/errors/errors.ts";
import { defineList, type ListInput, type Page } from "#platform/list.ts";
import { availabilityVisible, EXCEPTION_NOT_FOUND } from "./access.ts";
import { type AvailabilityExceptionDto, type ExceptionRow, toExceptionDto } from "./availability-dto.ts";
import { requirePublicDoctor } from "./doctor.ts";
import { daysBetween, localDateIn, minutesOf } from "./wall-time.ts";

const EXCLUSION_VIOLATION = "23P01";

/** One exception covers at most this many days (a year, a leap day included). */
export const MAX_EXCEPTION_DAYS = 366;

/** By start date (`availability_exceptions_doctor_start`: doctor, start date, id). */
export const exceptionList = defineList<ExceptionRow, "startDate">({
  sorts: { startDate: availabilityExceptions.startDate },
  id: availabilityExceptions.id,
  defaultSort: "startDate",
  defaultOrder: "asc",
});

const exceptionColumns = {
  id: availabilityExceptions.id,
  doctorId: availabilityExceptions.doctorId,
  kind: availabilityExceptions.kind,
  startDate: availabilityExceptions.startDate,
  endDate: availabilityExceptions.endDate,
  startMinute: availabilityExceptions.startMinute,
  endMinute: availabilityExceptions.endMinute,
  slotMinutes: availabilityExceptions.slotMinutes,
};

export interface ExceptionInput {
  kind: AvailabilityExceptionKind;
  startDate: string;
  endDate: string;
  startTime?: string;
  endTime?: string;
  slotMinutes?: number;
}

/** The doctor an exception belongs to: its slot length (EXTRA_HOURS' default) and its zone (today). */
export interface ExceptionOwner {
  id: string;
  appointmentMinutes: number;
  timezone: string;
}

/**
 * The row an exception input makes, or the first rule it breaks (the schema checks the same; the
 * demo seed calls the service directly). "Not ended" is today in the doctor's zone.
 */
function exceptionValues(doctor: ExceptionOwner, input: ExceptionInput, today: string) {
  const days = daysBetween(input.startDate, input.endDate);
  if (days < 0) throw invalidField(["endDate"], "endDate must not be before startDate");
  if (days >= MAX_EXCEPTION_DAYS)
    throw invalidField(["endDate"], `At most ${MAX_EXCEPTION_DAYS} days in one exception`);
  if (input.endDate < today)
    throw invalidField(["endDate"], `endDate is in the past (today is ${today} for the doctor)`);
  const hasTimes = input.startTime !== undefined && input.endTime !== undefined;
  if (!hasTimes && (input.startTime !== undefined || input.endTime !== undefined))
    throw invalidField(["endTime"], "Give both startTime and endTime, or neither (the whole day)");
  const startMinute = input.startTime === undefined ? null : minutesOf(input.startTime);
  const endMinute = input.endTime === undefined ? null : minutesOf(input.endTime);
  if (startMinute !== null && endMinute !== null && endMinute <= startMinute)
    throw invalidField(["endTime"], "endTime must be after startTime (hours never run past midnight)");
  let slotMinutes: number | null = null;
  if (input.kind === "TIME_OFF") {
    if (input.slotMinutes !== undefined) throw invalidField(["slotMinutes"], "TIME_OFF has no slots");
  } else {
    if (startMinute === null || endMinute === null)
      throw invalidField(["startTime"], "EXTRA_HOURS need startTime and endTime");
    slotMinutes = input.slotMinutes ?? doctor.appointmentMinutes;
    if (slotMinutes > endMinute - startMinute)
      throw invalidField(
        ["slotMinutes"],
        `slotMinutes (${slotMinutes}) is longer than the hours (${endMinute - startMinute} minutes)`,
      );
  }
  return {
    doctorId: doctor.id,
    kind: input.kind,
    startDate: input.startDate,
    endDate: input.endDate,
    startMinute,
    endMinute,
    slotMinutes,
  };
}

function overlapping(error: unknown): never {
  const facts = pgErrorFacts(error);
  if (facts?.code === EXCLUSION_VIOLATION && facts.constraint === "availability_exceptions_extra_no_overlap")
    throw new DomainError(
      "AVAILABILITY_OVERLAP",
      "These extra hours overlap other extra hours of the doctor",
    );
  throw error;
}

/**
 * Public: a doctor's exceptions that overlap `from`–`to`, by start date; without `from`, those
 * not ended today in the doctor's zone. NOT_FOUND for a doctor the public cannot see.
 */
export async function listExceptions(
  deps: Pick<Deps, "db" | "clock">,
  doctorId: string,
  input: ListInput<"startDate"> & { from?: string; to?: string },
): Promise<Page<AvailabilityExceptionDto>> {
  const doctor = await requirePublicDoctor(deps, doctorId);
  const { from = localDateIn(doctor.timezone, deps.clock.now()), to, ...query } = input;
  const page = await exceptionList.page(query, ({ where, orderBy, limit }) =>
    deps.db
      .select(exceptionColumns)
      .from(availabilityExceptions)
      .where(
        and(
          eq(availabilityExceptions.doctorId, doctorId),
          availabilityVisible(availabilityExceptions.doctorId),
          gte(availabilityExceptions.endDate, from),
          to === undefined ? undefined : lte(availabilityExceptions.startDate, to),
          where,
        ),
      )
      .orderBy(...orderBy)
      .limit(limit),
  );
  return { items: page.items.map(toExceptionDto), nextCursor: page.nextCursor };
}

/**
 * Time off or extra hours for `doctor` (the resource procedure checked who may; the demo seed
 * calls this directly). Time off cancels nothing: booked appointments stay until the doctor
 * cancels them. 409 AVAILABILITY_OVERLAP when extra hours overlap other extra hours.
 */
export async function createException(
  deps: Pick<Deps, "db" | "events" | "clock">,
  audit: AuditMeta,
  doctor: ExceptionOwner,
  input: ExceptionInput,
): Promise<AvailabilityExceptionDto> {
  const values = exceptionValues(doctor, input, localDateIn(doctor.timezone, deps.clock.now()));
  const row = await auditedTransaction(deps, audit, async (tx, record) => {
    const [created] = await tx
      .insert(availabilityExceptions)
      .values({ ...values, createdAt: deps.clock.now() })
      .returning(exceptionColumns)
      .catch(overlapping);
    if (!created) throw new Error("insert returned no row");
    record.audit({
      action: "availability.exception_created",
      outcome: "SUCCESS",
      targetType: "availability_exception",
      targetId: created.id,
      details: { doctorId: doctor.id, kind: created.kind },
    });
    return created;
  });
  return toExceptionDto(row);
}

export function deleteException(
  deps: Pick<Deps, "db" | "events">,
  audit: AuditMeta,
  exception: { id: string; doctorId: string },
): Promise<void> {
  return auditedTransaction(deps, audit, async (tx, record) => {
    const deleted = await tx
      .delete(availabilityExceptions)
      .where(eq(availabilityExceptions.id, exception.id))
      .returning({ id: availabilityExceptions.id });
    if (!deleted.length) throw new DomainError("NOT_FOUND", EXCEPTION_NOT_FOUND);
    record.audit({
      action: "availability.exception_deleted",
      outcome: "SUCCESS",
      targetType: "availability_exception",
      targetId: exception.id,
      details: { doctorId: exception.doctorId },
    });
  });
}
