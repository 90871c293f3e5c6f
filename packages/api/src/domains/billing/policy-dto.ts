import type { InsurancePolicy } from "@medical/db/schema";
import { z } from "zod";
import type { FieldCipher } from "#platform/crypto/field-cipher.ts";
import { ZTimestamp } from "#platform/fields/fields.ts";
import { named } from "#platform/named.ts";
import { ZCalendarDate } from "./billing-fields.ts";
import { openBillingText } from "./billing-phi.ts";

export const ZCoveragePercent = z.number().int().min(0).max(100).meta({
  description:
    "The share of an entry the policy covers, 0 to 100: it covers floor(amountMinor × percent / 100)",
});

const ZPolicy = z.object({
  id: z.uuid(),
  patientId: z.uuid(),
  provider: z.string().meta({ description: "The insurer" }),
  policyNumber: z
    .string()
    .meta({ description: "The policy's number (PHI: encrypted at rest, every read audited)" }),
  coveragePercent: ZCoveragePercent,
  validFrom: ZCalendarDate.meta({ description: "First day of cover" }),
  validTo: ZCalendarDate.nullable().meta({ description: "Last day of cover; null: open-ended" }),
  isActive: z.boolean().meta({ description: "False once deactivated: it takes no new claim" }),
  createdAt: ZTimestamp,
  updatedAt: ZTimestamp,
});

/** The document's example. */
export const policyExample: z.infer<typeof ZPolicy> = {
  id: "3f1a7c9e-5b2d-4e8a-a6c4-9d0b2e7f1a35",
  patientId: "7d3e9a1c-2b4f-4e6a-8c5d-1f9b3a7e2c64",
  provider: "CNAS",
  policyNumber: "16-0412-7788-21",
  coveragePercent: 80,
  validFrom: "2026-01-01",
  validTo: "2026-12-31",
  isActive: true,
  createdAt: new Date("2026-01-04T09:00:00.000Z"),
  updatedAt: new Date("2026-01-04T09:00:00.000Z"),
};

export const ZPolicyDto = named(ZPolicy, "InsurancePolicy", {
  description: "A patient's insurance policy",
  example: policyExample,
});
export type PolicyDto = z.infer<typeof ZPolicyDto>;

/** The DTO, its number decrypted (BillingTextUnreadable when it does not decrypt). */
export function toPolicyDto(cipher: FieldCipher, policy: InsurancePolicy): PolicyDto {
  return {
    id: policy.id,
    patientId: policy.patientId,
    provider: policy.provider,
    policyNumber: openBillingText(cipher, "policyNumber", policy, policy.policyNumber),
    coveragePercent: policy.coveragePercent,
    validFrom: policy.validFrom,
    validTo: policy.validTo,
    isActive: policy.isActive,
    createdAt: policy.createdAt,
    updatedAt: policy.updatedAt,
  };
}
