import { idempotent, idempotentCallOf } from "#platform/idempotency/idempotency.ts";
import { authedProcedure, router } from "#platform/trpc.ts";
import { billingProcedure } from "./access.ts";
import { BILLING_ACTIONS } from "./audit-events.ts";
import { ZClaimDto } from "./claim-dto.ts";
import {
  claimRoutes,
  ZClaimPage,
  ZCreateClaimInput,
  ZPolicyClaimsInput,
  ZUpdateClaimInput,
} from "./claims.schema.ts";
import { changeClaimStatus, createClaim, listClaimsOfPolicy } from "./claims.service.ts";

const refused = (action: string) => ({ action, targetType: "insurance_claim" as const });
const actions = BILLING_ACTIONS.claim;

/** `/billing/claims/…`: claims on policies for billing entries; STAFF and ADMIN make and move them. */
export const claimsRouter = router({
  create: billingProcedure(refused(actions.create), "STAFF", "ADMIN")
    .meta(claimRoutes.create)
    .input(ZCreateClaimInput)
    .output(ZClaimDto)
    .mutation(({ ctx, input: { idempotencyKey, ...claim } }) =>
      idempotent(
        ctx.deps,
        idempotentCallOf(ctx, {
          operation: "billing.claims.create",
          inputKey: idempotencyKey,
          request: claim,
          output: ZClaimDto,
          successStatus: claimRoutes.create.successStatus ?? 200,
        }),
        (seal) => createClaim(ctx.deps, ctx.audit, ctx.actor, claim, seal),
      ),
    ),
  byPolicy: authedProcedure
    .meta(claimRoutes.byPolicy)
    .input(ZPolicyClaimsInput)
    .output(ZClaimPage)
    .query(({ ctx, input }) => listClaimsOfPolicy(ctx.deps, ctx.audit, ctx.actor, input)),
  update: billingProcedure(refused(actions.status), "STAFF", "ADMIN")
    .meta(claimRoutes.update)
    .input(ZUpdateClaimInput)
    .output(ZClaimDto)
    .mutation(({ ctx, input }) => changeClaimStatus(ctx.deps, ctx.audit, ctx.actor, input)),
});
