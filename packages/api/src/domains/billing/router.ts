import { idempotent, idempotentCallOf } from "#platform/idempotency/idempotency.ts";
import { authedProcedure, router } from "#platform/trpc.ts";
import { billingProcedure } from "./access.ts";
import { BILLING_ACTIONS } from "./audit-events.ts";
import { claimsRouter } from "./claims.router.ts";
import {
  entryRoutes,
  ZBillingEntryPage,
  ZCreateEntryInput,
  ZEntryIdInput,
  ZListEntriesInput,
  ZMyEntriesInput,
  ZPatientEntriesInput,
  ZUpdateEntryInput,
} from "./entries.schema.ts";
import { createEntry, getEntry, updateEntry } from "./entries.service.ts";
import { listEntries } from "./entries-list.service.ts";
import { ZBillingEntryDto } from "./entry-dto.ts";
import { policiesRouter } from "./policies.router.ts";

const refused = (action: string) => ({ action, targetType: "billing_entry" as const });
const actions = BILLING_ACTIONS.entry;

/**
 * Billing: entries, with policies and claims beside them. REST paths match in this order, first
 * match wins: the literal `/billing/me`, `/billing/policies/…`, `/billing/claims/…` and
 * `/billing/patient/{patientId}` come before `/billing/{id}`.
 */
export const billingRouter = router({
  mine: billingProcedure(refused(actions.list), "PATIENT")
    .meta(entryRoutes.mine)
    .input(ZMyEntriesInput)
    .output(ZBillingEntryPage)
    .query(({ ctx, input }) => listEntries(ctx.deps, ctx.audit, ctx.actor, { view: "mine" }, input)),
  policies: policiesRouter,
  claims: claimsRouter,
  byPatient: authedProcedure
    .meta(entryRoutes.byPatient)
    .input(ZPatientEntriesInput)
    .output(ZBillingEntryPage)
    .query(({ ctx, input: { patientId, ...input } }) =>
      listEntries(ctx.deps, ctx.audit, ctx.actor, { view: "patient", patientId }, input),
    ),
  list: billingProcedure(refused(actions.list), "STAFF", "ADMIN", "DOCTOR")
    .meta(entryRoutes.list)
    .input(ZListEntriesInput)
    .output(ZBillingEntryPage)
    .query(({ ctx, input: { patientId, ...input } }) =>
      listEntries(ctx.deps, ctx.audit, ctx.actor, { view: "all", patientId }, input),
    ),
  create: billingProcedure(refused(actions.create), "STAFF", "ADMIN")
    .meta(entryRoutes.create)
    .input(ZCreateEntryInput)
    .output(ZBillingEntryDto)
    .mutation(({ ctx, input: { idempotencyKey, ...entry } }) =>
      idempotent(
        ctx.deps,
        idempotentCallOf(ctx, {
          operation: "billing.create",
          inputKey: idempotencyKey,
          request: entry,
          output: ZBillingEntryDto,
          successStatus: entryRoutes.create.successStatus ?? 200,
        }),
        (seal) => createEntry(ctx.deps, ctx.audit, ctx.actor, entry, seal),
      ),
    ),
  get: authedProcedure
    .meta(entryRoutes.get)
    .input(ZEntryIdInput)
    .output(ZBillingEntryDto)
    .query(({ ctx, input }) => getEntry(ctx.deps, ctx.audit, ctx.actor, input.id)),
  update: billingProcedure(refused(actions.update), "STAFF", "ADMIN")
    .meta(entryRoutes.update)
    .input(ZUpdateEntryInput)
    .output(ZBillingEntryDto)
    .mutation(({ ctx, input }) => updateEntry(ctx.deps, ctx.audit, ctx.actor, input)),
});
