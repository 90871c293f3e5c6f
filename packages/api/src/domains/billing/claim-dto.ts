import type { Executor } from "@medical/db";
import { billingEntries, CLAIM_STATUSES, type InsuranceClaim, insuranceClaims } from "@medical/db/schema";
import { eq, getTableColumns } from "drizzle-orm";
import { z } from "zod";
import type { FieldCipher } from "#platform/crypto/field-cipher.ts";
import { ZTimestamp } from "#platform/fields/fields.ts";
import { ZMoneyDto } from "#platform/fields/money.ts";
import { named } from "#platform/named.ts";
import { openBillingText } from "./billing-phi.ts";

export const ZClaimStatus = z.enum(CLAIM_STATUSES).meta({
  id: "ClaimStatus",
  description:
    "SUBMITTED, then APPROVED or REJECTED; an APPROVED claim is then PAID. REJECTED and PAID are final",
});

const ZClaim = z.object({
  id: z.uuid(),
  policyId: z.uuid(),
  billingEntryId: z.uuid(),
  patientId: z.uuid(),
  amount: ZMoneyDto,
  status: ZClaimStatus,
  reason: z.string().nullable().meta({
    description: "The latest transition's explanation, always given to reject (PHI: encrypted at rest)",
  }),
  submittedAt: ZTimestamp,
  decidedAt: ZTimestamp.nullable().meta({ description: "When it was APPROVED or REJECTED" }),
  paidAt: ZTimestamp.nullable(),
  updatedAt: ZTimestamp,
});

/** The document's example. */
export const claimExample: z.infer<typeof ZClaim> = {
  id: "9a4c2e7f-1b3d-4f6a-8e5c-2d7b9f1a3c48",
  policyId: "3f1a7c9e-5b2d-4e8a-a6c4-9d0b2e7f1a35",
  billingEntryId: "0b6f3c2e-7d4a-4c1b-9e8f-5a2d6c4b1e90",
  patientId: "7d3e9a1c-2b4f-4e6a-8c5d-1f9b3a7e2c64",
  amount: { amountMinor: 240_000, currency: "DZD" },
  status: "APPROVED",
  reason: null,
  submittedAt: new Date("2026-12-01T10:10:00.000Z"),
  decidedAt: new Date("2026-12-03T14:00:00.000Z"),
  paidAt: null,
  updatedAt: new Date("2026-12-03T14:00:00.000Z"),
};

export const ZClaimDto = named(ZClaim, "InsuranceClaim", {
  description: "A claim on a policy for part of a billing entry, in the entry's currency",
  example: claimExample,
});
export type ClaimDto = z.infer<typeof ZClaimDto>;

/** A claim with its entry's currency. */
export interface ClaimRow {
  claim: InsuranceClaim;
  currency: string;
}

/** Claims with their entry's currency; callers add the access predicate and the rest. */
export function selectClaimRows(db: Executor) {
  return db
    .select({ claim: getTableColumns(insuranceClaims), currency: billingEntries.currency })
    .from(insuranceClaims)
    .innerJoin(billingEntries, eq(billingEntries.id, insuranceClaims.billingEntryId));
}

/** The DTO, its reason decrypted (BillingTextUnreadable when it does not decrypt). */
export function toClaimDto(cipher: FieldCipher, { claim, currency }: ClaimRow): ClaimDto {
  return {
    id: claim.id,
    policyId: claim.policyId,
    billingEntryId: claim.billingEntryId,
    patientId: claim.patientId,
    amount: { amountMinor: claim.amountMinor, currency },
    status: claim.status,
    reason: openBillingText(cipher, "claimReason", claim, claim.reason),
    submittedAt: claim.createdAt,
    decidedAt: claim.decidedAt,
    paidAt: claim.paidAt,
    updatedAt: claim.updatedAt,
  };
}
