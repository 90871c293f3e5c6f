import { randomUUID } from "node:crypto";
import type { Database } from "@medical/db";
import {
  type BillingEntry,
  billingEntries,
  type InsuranceClaim,
  type InsurancePolicy,
  insuranceClaims,
  insurancePolicies,
  type NewBillingEntry,
  type NewInsuranceClaim,
  type NewInsurancePolicy,
} from "@medical/db/schema";
import { eq } from "drizzle-orm";
import { sealBillingText } from "#domains/billing/billing-phi.ts";
import { policyNumberKeys } from "#domains/billing/policy-number.ts";
import type { FieldCipher } from "#platform/crypto/field-cipher.ts";
import { accountOfPatient } from "./patients.ts";

/**
 * Billing rows written straight to the tables, without the services' rules (coverage, validity,
 * transitions, audit): for tests of what reads them and of the rules themselves. Texts are
 * plain in the input and encrypted with `cipher` under the row's id, as the services do.
 */

export interface MakeBillingEntryInput
  extends Partial<Omit<NewBillingEntry, "patientId" | "description" | "createdBy">> {
  patientId: string;
  cipher: FieldCipher;
  description?: string;
  /** Default: the patient's own account. */
  createdBy?: string;
}

/** An UNPAID entry of 1,000.00 DZD issued today (UTC), unless told otherwise; a PAID one is paid the day it was issued. */
export async function makeBillingEntry(db: Database, input: MakeBillingEntryInput): Promise<BillingEntry> {
  const { cipher, description, createdBy, ...columns } = input;
  const id = columns.id ?? randomUUID();
  const issueDate = columns.issueDate ?? new Date().toISOString().slice(0, 10);
  const status = columns.status ?? "UNPAID";
  const [row] = await db
    .insert(billingEntries)
    .values({
      amountMinor: 100_000,
      ...columns,
      id,
      status,
      issueDate,
      paidDate: status === "PAID" ? (columns.paidDate ?? issueDate) : null,
      description: sealBillingText(cipher, "description", id, description ?? "Consultation"),
      createdBy: createdBy ?? (await accountOfPatient(db, input.patientId)),
    })
    .returning();
  if (!row) throw new Error("makeBillingEntry inserted nothing");
  return row;
}

export interface MakePolicyInput
  extends Partial<Omit<NewInsurancePolicy, "patientId" | "policyNumber" | "createdBy">> {
  patientId: string;
  cipher: FieldCipher;
  policyNumber?: string;
  createdBy?: string;
}

/**
 * An active CNAS policy covering 80% from 2000-01-01 on, without an end, unless told otherwise; a
 * number of its own by default, keyed as the service keys it (the unique index still applies).
 */
export async function makePolicy(db: Database, input: MakePolicyInput): Promise<InsurancePolicy> {
  const { cipher, policyNumber, createdBy, ...columns } = input;
  const id = columns.id ?? randomUUID();
  const provider = columns.provider ?? "CNAS";
  const number = policyNumber ?? `16-${id.slice(0, 8)}`;
  const [numberKey] = policyNumberKeys(cipher, provider, number);
  const [row] = await db
    .insert(insurancePolicies)
    .values({
      coveragePercent: 80,
      validFrom: "2000-01-01",
      numberKey,
      ...columns,
      id,
      provider,
      policyNumber: sealBillingText(cipher, "policyNumber", id, number),
      createdBy: createdBy ?? (await accountOfPatient(db, input.patientId)),
    })
    .returning();
  if (!row) throw new Error("makePolicy inserted nothing");
  return row;
}

export interface MakeClaimInput
  extends Partial<
    Omit<NewInsuranceClaim, "policyId" | "billingEntryId" | "patientId" | "reason" | "submittedBy">
  > {
  policyId: string;
  billingEntryId: string;
  cipher: FieldCipher;
  /** Required by the table for a REJECTED claim: "Non couvert" unless given. */
  reason?: string;
  submittedBy?: string;
}

/**
 * A claim of 10,000 minor units (SUBMITTED unless told otherwise) for the entry's patient, with the
 * times its status requires: decided for APPROVED, REJECTED and PAID, paid for PAID.
 */
export async function makeClaim(db: Database, input: MakeClaimInput): Promise<InsuranceClaim> {
  const { cipher, reason, submittedBy, ...columns } = input;
  const id = columns.id ?? randomUUID();
  const status = columns.status ?? "SUBMITTED";
  const [entry] = await db
    .select({ patientId: billingEntries.patientId })
    .from(billingEntries)
    .where(eq(billingEntries.id, input.billingEntryId))
    .limit(1);
  if (!entry) throw new Error(`makeClaim: no billing entry ${input.billingEntryId}`);
  const text = reason ?? (status === "REJECTED" ? "Non couvert" : undefined);
  const now = new Date();
  const [row] = await db
    .insert(insuranceClaims)
    .values({
      amountMinor: 10_000,
      ...columns,
      id,
      status,
      patientId: entry.patientId,
      reason: text ? sealBillingText(cipher, "claimReason", id, text) : null,
      decidedAt: status === "SUBMITTED" ? null : (columns.decidedAt ?? now),
      paidAt: status === "PAID" ? (columns.paidAt ?? now) : null,
      submittedBy: submittedBy ?? (await accountOfPatient(db, entry.patientId)),
    })
    .returning();
  if (!row) throw new Error("makeClaim inserted nothing");
  return row;
}
