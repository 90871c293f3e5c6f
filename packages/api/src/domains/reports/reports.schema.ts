import { type AppointmentStatus, BILLING_STATUSES, type ClaimStatus } from "@medical/db/schema";
import { z } from "zod";
import { ZLocalDate } from "#domains/availability/public.ts";
import type { Role } from "#platform/auth/roles.ts";
import { ZTimeZone } from "#platform/fields/time-zone.ts";
import { routeMeta } from "#platform/meta.ts";
import { named } from "#platform/named.ts";

export const reportRoutes = {
  summary: routeMeta(["admin"])(
    "GET",
    "/admin/reports/summary",
    "Activity summary: accounts, appointments, billing, claims (admin)",
    {
      description:
        "Accounts and profiles as they are now; appointments (by start), billing entries (by issue date) and claims (by submission) within the optional dates `from`–`to`, both included, on the calendar of `timezone` (default UTC), which also draws the months.",
    },
  ),
};

export const ZReportInput = z
  .strictObject({
    from: ZLocalDate.meta({
      description: "First day counted (`YYYY-MM-DD` in `timezone`); none: from the start",
    }).optional(),
    to: ZLocalDate.meta({ description: "Last day counted, included; none: until now and beyond" }).optional(),
    timezone: ZTimeZone.default("UTC").meta({
      description: "IANA zone of the dates and the months (e.g. Africa/Algiers); default UTC",
    }),
  })
  .refine((range) => !range.from || !range.to || range.from <= range.to, {
    message: "to must not be before from",
    path: ["to"],
  });
export type ReportInput = z.output<typeof ZReportInput>;

/** Counts and sums of minor units: exact in every JSON client well below 2^53. */
const count = z.number().int().min(0).max(1e15);
// Every value as a key, each a count, zero included (a chart needs every bar); `satisfies` keeps
// each list complete when a role or a status is added.
export const ZRoleCounts = z.object({
  ADMIN: count,
  DOCTOR: count,
  PATIENT: count,
  STAFF: count,
} satisfies Record<Role, typeof count>);
export const ZAppointmentStatusCounts = z.object({
  SCHEDULED: count,
  COMPLETED: count,
  CANCELLED: count,
  NO_SHOW: count,
} satisfies Record<AppointmentStatus, typeof count>);
export const ZClaimStatusCounts = z.object({
  SUBMITTED: count,
  APPROVED: count,
  REJECTED: count,
  PAID: count,
} satisfies Record<ClaimStatus, typeof count>);

export const ZReportSummary = named(
  z.object({
    range: z.object({
      from: ZLocalDate.nullable(),
      to: ZLocalDate.nullable(),
      timezone: z.string(),
    }),
    usersByRole: ZRoleCounts.meta({ description: "Active accounts by role" }),
    activeProfiles: z.object({ doctors: count, patients: count }),
    appointmentsByStatus: ZAppointmentStatusCounts,
    appointmentsByMonth: z
      .array(z.object({ month: z.string().meta({ description: "`YYYY-MM` in `timezone`" }), count }))
      .meta({ description: "Months with appointments, oldest first" }),
    billingTotals: z
      .array(z.object({ status: z.enum(BILLING_STATUSES), currency: z.string(), amountMinor: count }))
      .meta({
        description: "Sums of billing entries by status and currency (minor units), by status then currency",
      }),
    claimsByStatus: ZClaimStatusCounts,
  }),
  "ReportSummary",
  {
    description: "The clinic's activity in figures, computed in the database",
    example: {
      range: { from: "2026-11-01", to: "2026-11-30", timezone: "Africa/Algiers" },
      usersByRole: { ADMIN: 1, DOCTOR: 30, PATIENT: 30, STAFF: 1 },
      activeProfiles: { doctors: 30, patients: 30 },
      appointmentsByStatus: { SCHEDULED: 5, COMPLETED: 120, CANCELLED: 4, NO_SHOW: 4 },
      appointmentsByMonth: [{ month: "2026-11", count: 133 }],
      billingTotals: [
        { status: "PAID", currency: "DZD", amountMinor: 24_000_000 },
        { status: "UNPAID", currency: "DZD", amountMinor: 3_500_000 },
      ],
      claimsByStatus: { SUBMITTED: 3, APPROVED: 2, REJECTED: 1, PAID: 10 },
    },
  },
);
export type ReportSummary = z.infer<typeof ZReportSummary>;
