/**
 * What other domains may use of billing: who sees an entry, a policy or a claim (the patient data
 * export and the admin reports will read through these), and the DTOs with their mappers.
 */
export { claimVisibleTo, entryVisibleTo, policyVisibleTo } from "./access.ts";
export { type ClaimDto, selectClaimRows, toClaimDto, ZClaimDto } from "./claim-dto.ts";
export { type BillingEntryDto, selectEntryRows, toEntryDto, ZBillingEntryDto } from "./entry-dto.ts";
export { billingExportPart } from "./export-part.ts";
export { type PolicyDto, toPolicyDto, ZPolicyDto } from "./policy-dto.ts";
