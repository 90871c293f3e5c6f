import { billingEntries, type InsurancePolicy, insuranceClaims, insurancePolicies } from "@medical/db/schema";
import { defineList } from "#platform/list.ts";
import type { ClaimRow } from "./claim-dto.ts";
import type { EntryRow } from "./entry-dto.ts";

/**
 * The three lists, newest first by default: keyset pages over (created_at, id), the tail of
 * billing_entries_patient_created / billing_entries_created, insurance_policies_patient_created
 * and insurance_claims_policy_created.
 */
export const entryList = defineList<EntryRow, "createdAt">({
  sorts: { createdAt: { column: billingEntries.createdAt, valueOf: (row) => row.entry.createdAt } },
  id: { column: billingEntries.id, valueOf: (row) => row.entry.id },
  defaultSort: "createdAt",
  defaultOrder: "desc",
});

export const policyList = defineList<InsurancePolicy, "createdAt">({
  sorts: { createdAt: insurancePolicies.createdAt },
  id: insurancePolicies.id,
  defaultSort: "createdAt",
  defaultOrder: "desc",
});

export const claimList = defineList<ClaimRow, "createdAt">({
  sorts: { createdAt: { column: insuranceClaims.createdAt, valueOf: (row) => row.claim.createdAt } },
  id: { column: insuranceClaims.id, valueOf: (row) => row.claim.id },
  defaultSort: "createdAt",
  defaultOrder: "desc",
});
