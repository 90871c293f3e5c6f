import { CLAIM_STATUSES } from "@medical/db/schema";
import { z } from "zod";
import { text } from "#platform/fields/fields.ts";
import {
  IDEMPOTENCY_ERRORS,
  idempotencyNote,
  KEY_TRANSPORTS,
  ZIdempotencyHeader,
  ZIdempotencyKey,
} from "#platform/idempotency/idempotency.ts";
import { pageOf } from "#platform/list.ts";
import { named } from "#platform/named.ts";
import { ZBilledMoney } from "./billing-fields.ts";
import { ZClaimDto } from "./claim-dto.ts";
import { route, seers } from "./entries.schema.ts";
import { claimList } from "./lists.ts";
import { CLAIM_TARGETS } from "./transitions.ts";

export const MAX_CLAIM_REASON_LENGTH = 500;

const table =
  "Claims move `SUBMITTED → APPROVED | REJECTED` and `APPROVED → PAID`; REJECTED and PAID are final (409 INVALID_TRANSITION).";

/** What a new claim must pass, whatever the concurrency. */
const claimChecks =
  "On the policy `policyId` for the entry `billingEntryId` (404 for either unknown), in the entry's currency (400 otherwise). The policy must be an active policy of the entry's patient, valid on the entry's `serviceDate` (409 POLICY_NOT_VALID). The amount may not exceed what the policy covers of the entry — floor(amountMinor × coveragePercent / 100) — less the entry's other live claims (SUBMITTED, APPROVED or PAID), whatever the concurrency (409 CLAIM_EXCEEDS_COVERAGE, with `data.availableMinor`); a VOID entry takes none. Writes the domain event `claim.status_changed` (`from: null`).";

/** The REST route of each procedure: under `/billing/claims`, before `/billing/{id}` in the router. */
export const claimRoutes = {
  create: route("POST", "/billing/claims", "Submit an insurance claim for a billing entry (STAFF, ADMIN)", {
    description: `${claimChecks} ${idempotencyNote("submits no second claim")}`,
    errors: ["NOT_FOUND", "POLICY_NOT_VALID", "CLAIM_EXCEEDS_COVERAGE", ...IDEMPOTENCY_ERRORS],
    requestHeaders: ZIdempotencyHeader,
    successStatus: 201,
    successMessage: "Claim submitted",
  }),
  byPolicy: route("GET", "/billing/claims/policy/{policyId}", "The claims on one insurance policy", {
    description: `${seers} Newest first, keyset pages; \`status\` keeps those statuses. Reasons are PHI: every page read is audited with the ids it returned.`,
    errors: ["NOT_FOUND"],
  }),
  update: route(
    "PATCH",
    "/billing/claims/{id}",
    "Move an insurance claim along its statuses (STAFF, ADMIN)",
    {
      description: `${table} A \`reason\` is required to reject and optional otherwise; when given it replaces the claim's. Writes the domain event \`claim.status_changed\`.`,
      errors: ["NOT_FOUND", "INVALID_TRANSITION"],
      successMessage: "Claim updated",
    },
  ),
};

export const ZPolicyClaimsInput = claimList.input.extend({
  policyId: z.uuid().meta({ description: "The policy's id" }),
  status: z
    .array(z.enum(CLAIM_STATUSES))
    .min(1)
    .max(CLAIM_STATUSES.length)
    .meta({ description: "One status or several (repeat it: `status=SUBMITTED&status=APPROVED`)" })
    .optional(),
});
export type TPolicyClaimsInput = z.infer<typeof ZPolicyClaimsInput>;

export const ZClaimPage = pageOf(ZClaimDto, "InsuranceClaimPage");

export const ZCreateClaimInput = named(
  z.strictObject({
    policyId: z.uuid(),
    billingEntryId: z.uuid(),
    amount: ZBilledMoney,
    idempotencyKey: ZIdempotencyKey.optional(),
  }),
  "CreateInsuranceClaimInput",
  {
    description: `A claim on a policy for part of a billing entry, in the entry's currency. ${KEY_TRANSPORTS}`,
    example: {
      policyId: "3f1a7c9e-5b2d-4e8a-a6c4-9d0b2e7f1a35",
      billingEntryId: "0b6f3c2e-7d4a-4c1b-9e8f-5a2d6c4b1e90",
      amount: { amountMinor: 240_000, currency: "DZD" },
    },
  },
);
export type TCreateClaimInput = Omit<z.infer<typeof ZCreateClaimInput>, "idempotencyKey">;

export const ZUpdateClaimInput = named(
  z
    .strictObject({
      id: z.uuid(),
      status: z
        .enum(CLAIM_TARGETS)
        .meta({ description: "APPROVED or REJECTED from SUBMITTED; PAID from APPROVED" }),
      reason: text(MAX_CLAIM_REASON_LENGTH, { min: 1 })
        .meta({
          description: `Why, at most ${MAX_CLAIM_REASON_LENGTH} characters: required with REJECTED (PHI: encrypted at rest)`,
        })
        .optional(),
    })
    .refine((input) => input.status !== "REJECTED" || input.reason !== undefined, {
      message: "A rejection needs a reason",
      path: ["reason"],
    }),
  "UpdateInsuranceClaimInput",
  {
    description: "The status a claim moves to, and why",
    example: {
      id: "9a4c2e7f-1b3d-4f6a-8e5c-2d7b9f1a3c48",
      status: "REJECTED",
      reason: "Acte non couvert par le contrat",
    },
  },
);
export type TUpdateClaimInput = z.infer<typeof ZUpdateClaimInput>;
