import { z } from "zod";
import { requireAChange, text } from "#platform/fields/fields.ts";
import {
  IDEMPOTENCY_ERRORS,
  idempotencyNote,
  KEY_TRANSPORTS,
  ZIdempotencyHeader,
  ZIdempotencyKey,
} from "#platform/idempotency/idempotency.ts";
import { pageOf } from "#platform/list.ts";
import { named } from "#platform/named.ts";
import { ZCalendarDate } from "./billing-fields.ts";
import { route, seers } from "./entries.schema.ts";
import { policyList } from "./lists.ts";
import { ZCoveragePercent, ZPolicyDto } from "./policy-dto.ts";

const listed =
  "Newest first, keyset pages. Policy numbers are PHI: every page read is audited with the ids it returned. Deactivated policies are listed too unless `isActive` says otherwise.";
const terms =
  "Once the policy has live claims (SUBMITTED, APPROVED or PAID) its terms (`coveragePercent`, `validFrom`, `validTo`) may only widen — a higher share, an earlier start, a later or no end — so no claim made under them exceeds them (409 IN_USE otherwise: register a new policy).";

const unique =
  "A provider's number is one patient's contract: it is refused (409 POLICY_EXISTS) when an active policy already has it, or another patient's policy does, deactivated or not. Numbers compare by their letters and digits, case aside, providers with accents, case and spaces aside.";

/** The REST route of each procedure: under `/billing/policies`, before `/billing/{id}` in the router. */
export const policyRoutes = {
  create: route("POST", "/billing/policies", "Register an insurance policy", {
    description: `A PATIENT registers their own (\`patientId\`, if sent, must be theirs, else 403; 409 PROFILE_REQUIRED without a profile); STAFF and ADMIN register one for the patient \`patientId\` (required; 404 unknown). A DOCTOR cannot (403). \`validTo\` is on or after \`validFrom\`, or absent (open-ended). ${unique} ${idempotencyNote("registers nothing more")}`,
    errors: ["NOT_FOUND", "PROFILE_REQUIRED", "POLICY_EXISTS", ...IDEMPOTENCY_ERRORS],
    requestHeaders: ZIdempotencyHeader,
    successStatus: 201,
    successMessage: "Insurance policy registered",
  }),
  mine: route("GET", "/billing/policies/me", "The caller's insurance policies (PATIENT)", {
    description: `${listed} Empty until the caller has a patient profile.`,
  }),
  byPatient: route("GET", "/billing/policies/patient/{patientId}", "One patient's insurance policies", {
    description: `${seers} ${listed}`,
    errors: ["NOT_FOUND"],
  }),
  update: route("PATCH", "/billing/policies/{id}", "Change an insurance policy (STAFF, ADMIN)", {
    description: `A field absent from the body is kept (\`validTo: null\` makes it open-ended); \`isActive: true\` reactivates a deactivated policy. ${terms} A new \`provider\` or \`policyNumber\`, or a reactivation, must leave the number free as for a registration (409 POLICY_EXISTS).`,
    errors: ["NOT_FOUND", "IN_USE", "POLICY_EXISTS"],
    successMessage: "Insurance policy updated",
  }),
  delete: route("DELETE", "/billing/policies/{id}", "Deactivate an insurance policy", {
    description:
      "STAFF, ADMIN, or the patient for their own policy (another's is 404; a DOCTOR gets 403). The policy stays, with its claims, but takes no new claim; its claims already made go on. Its number stays the patient's: only they may register a policy with it again (new terms of the same contract). Deactivating a deactivated policy changes nothing.",
    errors: ["NOT_FOUND"],
    successMessage: "Insurance policy deactivated",
  }),
};

const ZActiveFilter = z
  .boolean()
  .meta({ description: "Only active policies (true) or only deactivated ones (false)" })
  .optional();

export const ZMyPoliciesInput = policyList.input.extend({ isActive: ZActiveFilter });

export const ZPatientPoliciesInput = policyList.input.extend({
  patientId: z.uuid().meta({ description: "The patient profile's id" }),
  isActive: ZActiveFilter,
});

export const ZPolicyPage = pageOf(ZPolicyDto, "InsurancePolicyPage");

const ZProvider = text(200, { min: 1 }).meta({ description: "The insurer, at most 200 characters" });
const ZPolicyNumber = text(100, { min: 1 })
  // Compared by its letters and digits (policy-number.ts): a number without any is no number.
  .refine((value) => /[\p{L}\p{N}]/u.test(value), "Must contain a letter or a digit")
  .meta({
    description:
      "The policy's number, at most 100 characters (PHI: encrypted at rest, reads audited). Compared by its letters and digits, case aside: `16-0412 7788` is `160412-7788`",
  });
const validity = (input: { validFrom?: string | undefined; validTo?: string | null | undefined }) =>
  !input.validFrom || !input.validTo || input.validTo >= input.validFrom;
const validityIssue = { message: "validTo must not be before validFrom", path: ["validTo"] };

export const ZCreatePolicyInput = named(
  z
    .strictObject({
      patientId: z
        .uuid()
        .meta({ description: "Required for STAFF and ADMIN; a PATIENT registers their own" })
        .optional(),
      provider: ZProvider,
      policyNumber: ZPolicyNumber,
      coveragePercent: ZCoveragePercent,
      validFrom: ZCalendarDate.meta({ description: "First day of cover" }),
      validTo: ZCalendarDate.meta({ description: "Last day of cover; absent: open-ended" }).optional(),
      idempotencyKey: ZIdempotencyKey.optional(),
    })
    .refine(validity, validityIssue),
  "CreateInsurancePolicyInput",
  {
    description: `A patient's insurance policy. ${KEY_TRANSPORTS}`,
    example: {
      provider: "CNAS",
      policyNumber: "16-0412-7788-21",
      coveragePercent: 80,
      validFrom: "2026-01-01",
      validTo: "2026-12-31",
    },
  },
);
export type TCreatePolicyInput = Omit<z.infer<typeof ZCreatePolicyInput>, "idempotencyKey">;

export const ZUpdatePolicyInput = named(
  requireAChange(
    z.strictObject({
      id: z.uuid(),
      provider: ZProvider.optional(),
      policyNumber: ZPolicyNumber.optional(),
      coveragePercent: ZCoveragePercent.optional(),
      validFrom: ZCalendarDate.optional(),
      validTo: ZCalendarDate.nullable().meta({ description: "Null: open-ended" }).optional(),
      isActive: z.boolean().meta({ description: "False deactivates it, true reactivates it" }).optional(),
    }),
    "id",
  ).refine(validity, validityIssue),
  "UpdateInsurancePolicyInput",
  {
    description: "The fields of a policy to change; the others are kept",
    example: { id: "3f1a7c9e-5b2d-4e8a-a6c4-9d0b2e7f1a35", validTo: "2027-12-31" },
  },
);
export type TUpdatePolicyInput = z.infer<typeof ZUpdatePolicyInput>;

export const ZPolicyIdInput = z.strictObject({ id: z.uuid() });
