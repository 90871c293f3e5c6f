import { pgErrorFacts } from "@medical/db";
import { availabilityRules } from "@medical/db/schema";
import { and, eq } from "drizzle-orm";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError, invalidField } from "#platform/errors/errors.ts";
import { defineList, type ListInput, type Page } from "#platform/list.ts";
import { availabilityVisible, RULE_NOT_FOUND } from "./access.ts";
import { type AvailabilityRuleDto, type RuleRow, toRuleDto } from "./availability-dto.ts";
import { requirePublicDoctor } from "./doctor.ts";
import { minutesOf } from "./wall-time.ts";

const EXCLUSION_VIOLATION = "23P01";
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** Through the week: by weekday, then start time (`week_minute`, along `availability_rules_doctor_week`). */
export const ruleList = defineList<RuleRow, "start">({
  sorts: { start: { column: availabilityRules.weekMinute, valueOf: (row) => row.weekMinute } },
  id: availabilityRules.id,
  defaultSort: "start",
  defaultOrder: "asc",
});

const ruleColumns = {
  id: availabilityRules.id,
  doctorId: availabilityRules.doctorId,
  weekday: availabilityRules.weekday,
  startMinute: availabilityRules.startMinute,
  endMinute: availabilityRules.endMinute,
  slotMinutes: availabilityRules.slotMinutes,
  isActive: availabilityRules.isActive,
  weekMinute: availabilityRules.weekMinute,
};

/** Weekly hours as the services take them: wall-clock `HH:MM` in the doctor's zone. */
export interface RuleInput {
  weekday: number;
  startTime: string;
  endTime: string;
  slotMinutes?: number;
  isActive?: boolean;
}

/** The doctor that new hours belong to, with the slot length they default to. */
export interface RuleOwner {
  id: string;
  appointmentMinutes: number;
}

interface Window {
  weekday: number;
  startMinute: number;
  endMinute: number;
  slotMinutes: number;
}

/** Start before end, and room for one slot (the schemas check the same on what they see). */
function checkWindow({ startMinute, endMinute, slotMinutes }: Window): void {
  if (endMinute <= startMinute)
    throw invalidField(["endTime"], "endTime must be after startTime (hours never run past midnight)");
  if (slotMinutes > endMinute - startMinute)
    throw invalidField(
      ["slotMinutes"],
      `slotMinutes (${slotMinutes}) is longer than the hours (${endMinute - startMinute} minutes)`,
    );
}

/** The exclusion constraint of drizzle/0008 refused the hours: another active window overlaps them. */
function overlapping(window: Window) {
  return (error: unknown): never => {
    const facts = pgErrorFacts(error);
    if (facts?.code === EXCLUSION_VIOLATION && facts.constraint === "availability_rules_no_overlap")
      throw new DomainError(
        "AVAILABILITY_OVERLAP",
        `These hours overlap other active hours of the doctor on ${WEEKDAYS[window.weekday - 1]}`,
      );
    throw error;
  };
}

/** Public: a doctor's weekly hours, through the week. NOT_FOUND for a doctor the public cannot see. */
export async function listRules(
  deps: Pick<Deps, "db">,
  doctorId: string,
  input: ListInput<"start"> & { isActive?: boolean },
): Promise<Page<AvailabilityRuleDto>> {
  await requirePublicDoctor(deps, doctorId);
  const { isActive, ...query } = input;
  const page = await ruleList.page(query, ({ where, orderBy, limit }) =>
    deps.db
      .select(ruleColumns)
      .from(availabilityRules)
      .where(
        and(
          eq(availabilityRules.doctorId, doctorId),
          availabilityVisible(availabilityRules.doctorId),
          isActive === undefined ? undefined : eq(availabilityRules.isActive, isActive),
          where,
        ),
      )
      .orderBy(...orderBy)
      .limit(limit),
  );
  return { items: page.items.map(toRuleDto), nextCursor: page.nextCursor };
}

/**
 * New weekly hours for `doctor` (the resource procedure checked who may; the demo seed calls this
 * directly). 409 AVAILABILITY_OVERLAP when active ones overlap on that weekday, races included.
 */
export async function createRule(
  deps: Pick<Deps, "db" | "events" | "clock">,
  audit: AuditMeta,
  doctor: RuleOwner,
  input: RuleInput,
): Promise<AvailabilityRuleDto> {
  const window = {
    weekday: input.weekday,
    startMinute: minutesOf(input.startTime),
    endMinute: minutesOf(input.endTime),
    slotMinutes: input.slotMinutes ?? doctor.appointmentMinutes,
  };
  checkWindow(window);
  const row = await auditedTransaction(deps, audit, async (tx, record) => {
    const now = deps.clock.now();
    const [created] = await tx
      .insert(availabilityRules)
      .values({
        ...window,
        doctorId: doctor.id,
        isActive: input.isActive ?? true,
        createdAt: now,
        updatedAt: now,
      })
      .returning(ruleColumns)
      .catch(overlapping(window));
    if (!created) throw new Error("insert returned no row");
    record.audit({
      action: "availability.rule_created",
      outcome: "SUCCESS",
      targetType: "availability_rule",
      targetId: created.id,
      details: { doctorId: doctor.id },
    });
    return created;
  });
  return toRuleDto(row);
}

/** Changes weekly hours; the merged hours are checked as a whole, overlap included. */
export async function updateRule(
  deps: Pick<Deps, "db" | "events" | "clock">,
  audit: AuditMeta,
  ruleId: string,
  changes: Partial<RuleInput>,
): Promise<AvailabilityRuleDto> {
  const row = await auditedTransaction(deps, audit, async (tx, record) => {
    const [current] = await tx
      .select(ruleColumns)
      .from(availabilityRules)
      .where(eq(availabilityRules.id, ruleId))
      .for("update");
    // Deleted since the resource procedure loaded it.
    if (!current) throw new DomainError("NOT_FOUND", RULE_NOT_FOUND);
    const window = {
      weekday: changes.weekday ?? current.weekday,
      startMinute: changes.startTime === undefined ? current.startMinute : minutesOf(changes.startTime),
      endMinute: changes.endTime === undefined ? current.endMinute : minutesOf(changes.endTime),
      slotMinutes: changes.slotMinutes ?? current.slotMinutes,
    };
    checkWindow(window);
    const [updated] = await tx
      .update(availabilityRules)
      .set({ ...window, isActive: changes.isActive ?? current.isActive, updatedAt: deps.clock.now() })
      .where(eq(availabilityRules.id, ruleId))
      .returning(ruleColumns)
      .catch(overlapping(window));
    if (!updated) throw new Error("update returned no row");
    record.audit({
      action: "availability.rule_updated",
      outcome: "SUCCESS",
      targetType: "availability_rule",
      targetId: ruleId,
      details: { doctorId: current.doctorId, fields: Object.keys(changes).join(",") },
    });
    return updated;
  });
  return toRuleDto(row);
}

/** Removes weekly hours. Appointments already booked in them stay (the doctor cancels explicitly). */
export function deleteRule(
  deps: Pick<Deps, "db" | "events">,
  audit: AuditMeta,
  rule: { id: string; doctorId: string },
): Promise<void> {
  return auditedTransaction(deps, audit, async (tx, record) => {
    const deleted = await tx
      .delete(availabilityRules)
      .where(eq(availabilityRules.id, rule.id))
      .returning({ id: availabilityRules.id });
    if (!deleted.length) throw new DomainError("NOT_FOUND", RULE_NOT_FOUND);
    record.audit({
      action: "availability.rule_deleted",
      outcome: "SUCCESS",
      targetType: "availability_rule",
      targetId: rule.id,
      details: { doctorId: rule.doctorId },
    });
  });
}
