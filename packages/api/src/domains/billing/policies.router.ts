import { z } from "zod";
import { idempotent, idempotentCallOf } from "#platform/idempotency/idempotency.ts";
import { authedProcedure, router } from "#platform/trpc.ts";
import { billingProcedure } from "./access.ts";
import { BILLING_ACTIONS } from "./audit-events.ts";
import {
  policyRoutes,
  ZCreatePolicyInput,
  ZMyPoliciesInput,
  ZPatientPoliciesInput,
  ZPolicyIdInput,
  ZPolicyPage,
  ZUpdatePolicyInput,
} from "./policies.schema.ts";
import { createPolicy, deactivatePolicy, listPolicies, updatePolicy } from "./policies.service.ts";
import { ZPolicyDto } from "./policy-dto.ts";

const refused = (action: string) => ({ action, targetType: "insurance_policy" as const });
const actions = BILLING_ACTIONS.policy;

/** `/billing/policies/…`: a patient's insurance policies. */
export const policiesRouter = router({
  create: billingProcedure(refused(actions.create), "PATIENT", "STAFF", "ADMIN")
    .meta(policyRoutes.create)
    .input(ZCreatePolicyInput)
    .output(ZPolicyDto)
    .mutation(({ ctx, input: { idempotencyKey, ...policy } }) =>
      idempotent(
        ctx.deps,
        idempotentCallOf(ctx, {
          operation: "billing.policies.create",
          inputKey: idempotencyKey,
          request: policy,
          output: ZPolicyDto,
          successStatus: policyRoutes.create.successStatus ?? 200,
        }),
        (seal) => createPolicy(ctx.deps, ctx.audit, ctx.actor, policy, seal),
      ),
    ),
  mine: billingProcedure(refused(actions.list), "PATIENT")
    .meta(policyRoutes.mine)
    .input(ZMyPoliciesInput)
    .output(ZPolicyPage)
    .query(({ ctx, input }) => listPolicies(ctx.deps, ctx.audit, ctx.actor, { view: "mine" }, input)),
  byPatient: authedProcedure
    .meta(policyRoutes.byPatient)
    .input(ZPatientPoliciesInput)
    .output(ZPolicyPage)
    .query(({ ctx, input: { patientId, ...input } }) =>
      listPolicies(ctx.deps, ctx.audit, ctx.actor, { view: "patient", patientId }, input),
    ),
  update: billingProcedure(refused(actions.update), "STAFF", "ADMIN")
    .meta(policyRoutes.update)
    .input(ZUpdatePolicyInput)
    .output(ZPolicyDto)
    .mutation(({ ctx, input }) => updatePolicy(ctx.deps, ctx.audit, ctx.actor, input)),
  delete: billingProcedure(refused(actions.deactivate), "PATIENT", "STAFF", "ADMIN")
    .meta(policyRoutes.delete)
    .input(ZPolicyIdInput)
    .output(z.null())
    .mutation(async ({ ctx, input }) => {
      await deactivatePolicy(ctx.deps, ctx.audit, ctx.actor, input.id);
      return null;
    }),
});
