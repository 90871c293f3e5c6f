import {
  APPOINTMENT_STATUSES,
  appointments,
  billingEntries,
  CLAIM_STATUSES,
  doctors,
  insuranceClaims,
  patients,
  users,
} from "@medical/db/schema";
import { type AnyColumn, and, asc, count, eq, gte, lt, lte, type SQL, sql, sum } from "drizzle-orm";
import type { z } from "zod";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import { ROLES } from "#platform/auth/roles.ts";
import type { Deps } from "#platform/deps.ts";
import {
  type ReportInput,
  type ReportSummary,
  ZAppointmentStatusCounts,
  ZClaimStatusCounts,
  ZRoleCounts,
} from "./reports.schema.ts";

/** The instant a local date begins on the calendar of `zone`. */
const startOfDay = (date: string, zone: string): SQL =>
  sql`((${date}::date)::timestamp at time zone ${zone})`;
/** The day after `date` (the exclusive end of a range of whole days). */
const dayAfter = (date: string): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** Instants of the range's days on the zone's calendar: `[start of from, start of the day after to)`. */
function instantsWithin(column: AnyColumn, { from, to, timezone }: ReportInput) {
  return and(
    from ? gte(column, startOfDay(from, timezone)) : undefined,
    to ? lt(column, startOfDay(dayAfter(to), timezone)) : undefined,
  );
}

/** Every key of `schema` with its count, zero where the database found none. */
function countsOf<Schema extends z.ZodType>(
  schema: Schema,
  keys: readonly string[],
  rows: { key: string; n: number }[],
): z.output<Schema> {
  const found = new Map(rows.map(({ key, n }) => [key, n]));
  return schema.parse(Object.fromEntries(keys.map((key) => [key, found.get(key) ?? 0])));
}

/**
 * `GET /admin/reports/summary`: six figure groups, one query each (sent together), in one transaction with the
 * report's audit event. Accounts and profiles are counted as they are now; appointments by start,
 * billing entries by issue date and claims by submission within the range.
 */
export function reportSummary(
  deps: Pick<Deps, "db" | "events">,
  audit: AuditMeta,
  input: ReportInput,
): Promise<ReportSummary> {
  const { from, to, timezone } = input;
  return auditedTransaction(deps, audit, async (tx, record) => {
    const month = sql<string>`to_char(${appointments.startsAt} at time zone ${timezone}, 'YYYY-MM')`;
    const [roles, [profiles], byStatus, byMonth, billing, claims] = await Promise.all([
      tx
        .select({ key: users.role, n: count() })
        .from(users)
        .where(eq(users.isActive, true))
        .groupBy(users.role),
      tx
        .select({
          doctors: count(),
          patients:
            sql<number>`(select count(*) from ${patients} where ${eq(patients.isActive, true)})`.mapWith(
              Number,
            ),
        })
        .from(doctors)
        .where(eq(doctors.isActive, true)),
      tx
        .select({ key: appointments.status, n: count() })
        .from(appointments)
        .where(instantsWithin(appointments.startsAt, input))
        .groupBy(appointments.status),
      tx
        .select({ month, count: count() })
        .from(appointments)
        .where(instantsWithin(appointments.startsAt, input))
        // By position: the zone is a parameter, so a repeated expression would not match its own grouping.
        .groupBy(sql`1`)
        .orderBy(sql`1`),
      tx
        .select({
          status: billingEntries.status,
          currency: billingEntries.currency,
          amountMinor: sum(billingEntries.amountMinor).mapWith(Number),
        })
        .from(billingEntries)
        .where(
          and(
            from ? gte(billingEntries.issueDate, from) : undefined,
            to ? lte(billingEntries.issueDate, to) : undefined,
          ),
        )
        .groupBy(billingEntries.status, billingEntries.currency)
        .orderBy(asc(billingEntries.status), asc(billingEntries.currency)),
      tx
        .select({ key: insuranceClaims.status, n: count() })
        .from(insuranceClaims)
        .where(instantsWithin(insuranceClaims.createdAt, input))
        .groupBy(insuranceClaims.status),
    ]);
    record.audit({
      action: "report.summary",
      outcome: "SUCCESS",
      details: { from: from ?? null, to: to ?? null, timezone },
    });
    return {
      range: { from: from ?? null, to: to ?? null, timezone },
      usersByRole: countsOf(ZRoleCounts, ROLES, roles),
      activeProfiles: { doctors: profiles?.doctors ?? 0, patients: profiles?.patients ?? 0 },
      appointmentsByStatus: countsOf(ZAppointmentStatusCounts, APPOINTMENT_STATUSES, byStatus),
      appointmentsByMonth: byMonth,
      billingTotals: billing,
      claimsByStatus: countsOf(ZClaimStatusCounts, CLAIM_STATUSES, claims),
    };
  });
}
