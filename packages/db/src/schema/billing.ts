import { sql } from "drizzle-orm";
import { check, index, pgTable, uniqueIndex } from "drizzle-orm/pg-core";
import { appointments } from "./appointments.ts";
import { id, ref, timestamptz } from "./columns.ts";
import { patients } from "./patients.ts";
import { users } from "./users.ts";

export const BILLING_STATUSES = ["UNPAID", "PAID", "VOID"] as const;
export type BillingStatus = (typeof BILLING_STATUSES)[number];

export const CLAIM_STATUSES = ["SUBMITTED", "APPROVED", "REJECTED", "PAID"] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/** The claims that hold part of an entry's coverage: every status but REJECTED. */
export const LIVE_CLAIM_STATUSES = [
  "SUBMITTED",
  "APPROVED",
  "PAID",
] as const satisfies readonly ClaimStatus[];

/**
 * What a patient owes for a service, optionally for one of their appointments. Money as the
 * doctors' fee is kept: integer minor units (centimes of DZD) and an ISO 4217 code.
 * `description` is free text about a patient's care: AES-256-GCM encrypted like appointment
 * reasons (bound to this table, column and row). Decision record 0027.
 */
export const billingEntries = pgTable(
  "billing_entries",
  (t) => ({
    id: id(),
    patientId: ref(() => patients.id),
    appointmentId: t.uuid().references(() => appointments.id),
    amountMinor: t.integer().notNull(),
    currency: t.char({ length: 3 }).notNull().default("DZD"),
    description: t.text().notNull(),
    status: t.varchar({ length: 8 }).notNull().default("UNPAID").$type<BillingStatus>(),
    issueDate: t.date({ mode: "string" }).notNull(),
    dueDate: t.date({ mode: "string" }),
    paidDate: t.date({ mode: "string" }),
    createdBy: ref(() => users.id),
    createdAt: timestamptz().notNull().defaultNow(),
    updatedAt: timestamptz().notNull().defaultNow(),
  }),
  (t) => [
    // Keyset pages, newest first: one patient's, and everybody's.
    index("billing_entries_patient_created").on(t.patientId, t.createdAt, t.id),
    index("billing_entries_created").on(t.createdAt, t.id),
    index("billing_entries_appointment").on(t.appointmentId),
    check("billing_entries_amount", sql`${t.amountMinor} > 0`),
    check("billing_entries_currency", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check("billing_entries_status", sql`${t.status} in ('UNPAID', 'PAID', 'VOID')`),
    check("billing_entries_paid", sql`(${t.status} = 'PAID') = (${t.paidDate} is not null)`),
    check("billing_entries_due", sql`${t.dueDate} >= ${t.issueDate}`),
  ],
);

/**
 * A patient's insurance. The policy number identifies the person's cover: encrypted at rest like
 * the entries' descriptions. The provider (an insurer's name) is not. `valid_to` null: open-ended.
 * Deactivated, never deleted: claims refer to it. `number_key` is a keyed digest of the provider
 * and number, normalised (the field cipher's `digests`): the database compares it, nobody reads
 * it. One active policy per key; null only on rows written before it, until `pnpm keys:rotate`.
 */
export const insurancePolicies = pgTable(
  "insurance_policies",
  (t) => ({
    id: id(),
    patientId: ref(() => patients.id),
    provider: t.varchar({ length: 200 }).notNull(),
    policyNumber: t.text().notNull(),
    numberKey: t.text(),
    coveragePercent: t.smallint().notNull(),
    validFrom: t.date({ mode: "string" }).notNull(),
    validTo: t.date({ mode: "string" }),
    isActive: t.boolean().notNull().default(true),
    createdBy: ref(() => users.id),
    createdAt: timestamptz().notNull().defaultNow(),
    updatedAt: timestamptz().notNull().defaultNow(),
  }),
  (t) => [
    index("insurance_policies_patient_created").on(t.patientId, t.createdAt, t.id),
    // A provider's number is one live contract: a second active policy with it is refused.
    uniqueIndex("insurance_policies_number_key").on(t.numberKey).where(sql`${t.isActive}`),
    // Every policy with a number, active or not: it stays its patient's (decision record 0027).
    index("insurance_policies_number").on(t.numberKey),
    check("insurance_policies_coverage", sql`${t.coveragePercent} between 0 and 100`),
    check("insurance_policies_validity", sql`${t.validTo} >= ${t.validFrom}`),
  ],
);

/**
 * A claim on a policy for (part of) a billing entry. `patient_id` repeats the entry's (and the
 * policy's) patient, so who may see a claim is one predicate on the row. `reason` is the latest
 * transition's explanation (required to reject), encrypted like the other billing texts.
 */
export const insuranceClaims = pgTable(
  "insurance_claims",
  (t) => ({
    id: id(),
    policyId: ref(() => insurancePolicies.id),
    billingEntryId: ref(() => billingEntries.id),
    patientId: ref(() => patients.id),
    amountMinor: t.integer().notNull(),
    status: t.varchar({ length: 10 }).notNull().default("SUBMITTED").$type<ClaimStatus>(),
    reason: t.text(),
    submittedBy: ref(() => users.id),
    createdAt: timestamptz().notNull().defaultNow(),
    decidedAt: timestamptz(),
    paidAt: timestamptz(),
    updatedAt: timestamptz().notNull().defaultNow(),
  }),
  (t) => [
    // The live claims of an entry, summed under the entry's row lock at every new claim.
    index("insurance_claims_entry").on(t.billingEntryId, t.status),
    index("insurance_claims_policy_created").on(t.policyId, t.createdAt, t.id),
    check("insurance_claims_amount", sql`${t.amountMinor} > 0`),
    check("insurance_claims_status", sql`${t.status} in ('SUBMITTED', 'APPROVED', 'REJECTED', 'PAID')`),
    check("insurance_claims_decided", sql`(${t.status} = 'SUBMITTED') = (${t.decidedAt} is null)`),
    check("insurance_claims_paid", sql`(${t.status} = 'PAID') = (${t.paidAt} is not null)`),
    check("insurance_claims_rejected", sql`${t.status} <> 'REJECTED' or ${t.reason} is not null`),
  ],
);

export type BillingEntry = typeof billingEntries.$inferSelect;
export type NewBillingEntry = typeof billingEntries.$inferInsert;
export type InsurancePolicy = typeof insurancePolicies.$inferSelect;
export type NewInsurancePolicy = typeof insurancePolicies.$inferInsert;
export type InsuranceClaim = typeof insuranceClaims.$inferSelect;
export type NewInsuranceClaim = typeof insuranceClaims.$inferInsert;
