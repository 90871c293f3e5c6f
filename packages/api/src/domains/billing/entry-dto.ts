import type { Executor } from "@medical/db";
import { appointments, BILLING_STATUSES, type BillingEntry, billingEntries } from "@medical/db/schema";
import { getTableColumns, sql } from "drizzle-orm";
import { z } from "zod";
import type { FieldCipher } from "#platform/crypto/field-cipher.ts";
import { ZTimestamp } from "#platform/fields/fields.ts";
import { ZMoneyDto } from "#platform/fields/money.ts";
import { named } from "#platform/named.ts";
import { ZCalendarDate } from "./billing-fields.ts";
import { openBillingText } from "./billing-phi.ts";

export const ZBillingStatus = z.enum(BILLING_STATUSES).meta({
  id: "BillingStatus",
  description: "UNPAID until it is PAID or VOID (both final)",
});

const ZEntry = z.object({
  id: z.uuid(),
  patientId: z.uuid(),
  appointmentId: z.uuid().nullable().meta({ description: "The patient's appointment it bills, if any" }),
  amount: ZMoneyDto,
  description: z
    .string()
    .meta({ description: "What is billed (PHI: encrypted at rest, every read audited)" }),
  status: ZBillingStatus,
  issueDate: ZCalendarDate,
  dueDate: ZCalendarDate.nullable(),
  paidDate: ZCalendarDate.nullable().meta({ description: "Set when it is PAID" }),
  serviceDate: ZCalendarDate.meta({
    description:
      "The entry's date for insurance: its appointment's date (in the doctor's time zone) when linked, else `issueDate`. A claim needs a policy valid on it",
  }),
  createdAt: ZTimestamp,
  updatedAt: ZTimestamp,
});

/** The document's example. */
export const entryExample: z.infer<typeof ZEntry> = {
  id: "0b6f3c2e-7d4a-4c1b-9e8f-5a2d6c4b1e90",
  patientId: "7d3e9a1c-2b4f-4e6a-8c5d-1f9b3a7e2c64",
  appointmentId: "c4e8a2f6-3b7d-4a1e-9c5f-8d2b6e4a1f73",
  amount: { amountMinor: 300_000, currency: "DZD" },
  description: "Consultation de cardiologie et ECG",
  status: "UNPAID",
  issueDate: "2026-12-01",
  dueDate: "2026-12-31",
  paidDate: null,
  serviceDate: "2026-12-01",
  createdAt: new Date("2026-12-01T10:05:00.000Z"),
  updatedAt: new Date("2026-12-01T10:05:00.000Z"),
};

export const ZBillingEntryDto = named(ZEntry, "BillingEntry", {
  description: "What a patient owes for a service, in minor units of its currency",
  example: entryExample,
});
export type BillingEntryDto = z.infer<typeof ZBillingEntryDto>;

/** An entry with its date for insurance. */
export interface EntryRow {
  entry: BillingEntry;
  serviceDate: string;
}

/**
 * Issue 17: an entry's date is its appointment's date when linked — the start as a calendar date
 * in the appointment's (the doctor's) zone — else its issue date. A correlated lookup by key, so a
 * page reads it with its rows.
 */
const serviceDate = sql<string>`coalesce((
    select (${appointments.startsAt} at time zone ${appointments.timezone})::date
    from ${appointments} where ${appointments.id} = ${billingEntries.appointmentId}
  ), ${billingEntries.issueDate})::text`.as("service_date");

/**
 * Entries with their date for insurance; callers add the access predicate and the rest. Every
 * output column has its own name, so a list can read the query as a CTE.
 */
export function selectEntryRows(db: Executor) {
  return db.select({ entry: getTableColumns(billingEntries), serviceDate }).from(billingEntries);
}

/** The DTO, its description decrypted (BillingTextUnreadable when it does not decrypt). */
export function toEntryDto(cipher: FieldCipher, row: EntryRow): BillingEntryDto {
  const { entry } = row;
  return {
    id: entry.id,
    patientId: entry.patientId,
    appointmentId: entry.appointmentId,
    amount: { amountMinor: entry.amountMinor, currency: entry.currency },
    description: openBillingText(cipher, "description", entry, entry.description),
    status: entry.status,
    issueDate: entry.issueDate,
    dueDate: entry.dueDate,
    paidDate: entry.paidDate,
    serviceDate: row.serviceDate,
    createdAt: entry.createdAt,
    updatedAt: entry.updatedAt,
  };
}
