import { randomUUID } from "node:crypto";
import type { Executor } from "@medical/db";
import { type ClaimStatus, type InsurancePolicy, insuranceClaims } from "@medical/db/schema";
import { and, eq, inArray, sql } from "drizzle-orm";
import {
  type AuditMeta,
  auditAttempt,
  auditedTransaction,
  type ChangeRecorder,
} from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError, invalidField } from "#platform/errors/errors.ts";
import type { Seal } from "#platform/idempotency/idempotency.ts";
import type { Page } from "#platform/list.ts";
import {
  CLAIM_NOT_FOUND,
  claimVisibleTo,
  ENTRY_NOT_FOUND,
  findVisibleClaim,
  findVisibleEntry,
  findVisiblePolicy,
  listScope,
  POLICY_NOT_FOUND,
} from "./access.ts";
import { BILLING_ACTIONS, notVisible, refusedChange } from "./audit-events.ts";
import { auditOfPage } from "./audited-page.ts";
import { coveredShare } from "./billing-fields.ts";
import { auditingUnreadable, sealBillingText } from "./billing-phi.ts";
import { type ClaimDto, selectClaimRows, toClaimDto } from "./claim-dto.ts";
import type { TCreateClaimInput, TPolicyClaimsInput, TUpdateClaimInput } from "./claims.schema.ts";
import type { EntryRow } from "./entry-dto.ts";
import { claimList } from "./lists.ts";
import { liveClaimsOf } from "./live-claims.ts";
import { CLAIM_TRANSITIONS, checkTransition } from "./transitions.ts";

type BillingDeps = Pick<Deps, "db" | "events" | "clock" | "fieldCipher">;
type Who = Pick<Actor, "userId" | "role">;

const actions = BILLING_ACTIONS.claim;

/**
 * `GET /billing/claims/policy/{policyId}`: the claims on a policy the actor sees (NOT_FOUND
 * otherwise, the refusal audited). Reasons are PHI: the page and its audit row are one statement.
 */
export function listClaimsOfPolicy(
  deps: Pick<Deps, "db" | "fieldCipher">,
  audit: AuditMeta,
  actor: Who,
  { policyId, ...input }: TPolicyClaimsInput,
): Promise<Page<ClaimDto>> {
  return auditingUnreadable(deps, audit, actions.list, async () => {
    const policy = await findVisiblePolicy(deps.db, actor, policyId);
    if (!policy) {
      await auditAttempt(deps, audit, notVisible(actions.list, "insurance_policy", policyId));
      throw new DomainError("NOT_FOUND", POLICY_NOT_FOUND);
    }
    const { where, orderBy, limit } = claimList.keyset(input);
    const query = selectClaimRows(deps.db)
      .where(
        and(
          claimVisibleTo(actor),
          listScope(actor, insuranceClaims.patientId),
          eq(insuranceClaims.policyId, policyId),
          input.status?.length ? inArray(insuranceClaims.status, input.status) : undefined,
          where,
        ),
      )
      .orderBy(...orderBy)
      .limit(limit);
    const page = deps.db.$with("page").as(query);
    const { auditRow, inOrder } = auditOfPage(
      deps.db,
      audit,
      { action: actions.list, outcome: "SUCCESS", targetType: "insurance_claim", details: { policyId } },
      page,
      {
        sort: page.claim.createdAt,
        id: page.claim.id,
        order: input.order,
        limit: input.limit,
        patientId: policy.patientId,
      },
    );
    const rows = await deps.db
      .with(page, auditRow)
      .select()
      .from(page)
      .orderBy(...inOrder);
    const { items, nextCursor } = claimList.pageFrom(input, rows);
    return { items: items.map((row) => toClaimDto(deps.fieldCipher, row)), nextCursor };
  });
}

/** The sum of the entry's live claims (SUBMITTED, APPROVED, PAID), in minor units. */
async function liveClaimsTotal(tx: Executor, entryId: string): Promise<number> {
  const [row] = await tx
    .select({ total: sql<number>`coalesce(sum(${insuranceClaims.amountMinor}), 0)`.mapWith(Number) })
    .from(insuranceClaims)
    .where(liveClaimsOf({ entryId }));
  return row?.total ?? 0;
}

/** Why the policy cannot carry a claim for the entry, or null when it can (issue 17's POLICY_NOT_VALID). */
function policyRefusal(policy: InsurancePolicy, row: EntryRow): string | null {
  if (policy.patientId !== row.entry.patientId) return "The policy is not one of the entry's patient";
  if (!policy.isActive) return "The policy is deactivated";
  const date = row.serviceDate;
  if (date < policy.validFrom || (policy.validTo !== null && date > policy.validTo))
    return `The policy is not valid on the entry's date (${date})`;
  return null;
}

/**
 * The checks of a new claim, with the entry locked (`FOR UPDATE`) and the policy shared (`FOR
 * SHARE`: its terms and active flag stay put until this commits): a claim on the same entry waits
 * here and then sees this one's amount in the sum. A refusal rolls back and is audited.
 */
async function checkClaim(
  tx: Executor,
  record: ChangeRecorder,
  actor: Who,
  input: TCreateClaimInput,
): Promise<{ row: EntryRow; policy: InsurancePolicy }> {
  const row = await findVisibleEntry(tx, actor, input.billingEntryId, "update");
  if (!row)
    return record.refuse(
      notVisible(actions.create, "billing_entry", input.billingEntryId),
      new DomainError("NOT_FOUND", ENTRY_NOT_FOUND),
    );
  const policy = await findVisiblePolicy(tx, actor, input.policyId, "share");
  if (!policy)
    return record.refuse(
      notVisible(actions.create, "insurance_policy", input.policyId),
      new DomainError("NOT_FOUND", POLICY_NOT_FOUND),
    );
  const { entry } = row;
  const refused = (reason: string) =>
    refusedChange(actions.create, "billing_entry", entry, { reason, policyId: policy.id });
  if (input.amount.currency !== entry.currency)
    return record.refuse(
      refused("currency"),
      invalidField(["amount", "currency"], `must be the entry's currency, ${entry.currency}`),
    );
  const invalid = policyRefusal(policy, row);
  if (invalid)
    return record.refuse(refused("policy_not_valid"), new DomainError("POLICY_NOT_VALID", invalid));
  // A VOID bill is owed nothing: nothing of it is left to cover.
  const share = entry.status === "VOID" ? 0 : coveredShare(entry.amountMinor, policy.coveragePercent);
  const availableMinor = Math.max(0, share - (await liveClaimsTotal(tx, entry.id)));
  if (input.amount.amountMinor > availableMinor)
    return record.refuse(
      refused(entry.status === "VOID" ? "entry_void" : "exceeds_coverage"),
      new DomainError(
        "CLAIM_EXCEEDS_COVERAGE",
        entry.status === "VOID" ? "A VOID billing entry takes no claim" : undefined,
        { availableMinor },
      ),
    );
  return { row, policy };
}

/**
 * `POST /billing/claims` (STAFF, ADMIN): a SUBMITTED claim within what the policy still covers of
 * the entry, whatever the concurrency (checkClaim's locks); its audit event,
 * `claim.status_changed` (`from: null`) and the answer sealed for an Idempotency-Key commit with it.
 */
export function createClaim(
  deps: BillingDeps,
  audit: AuditMeta,
  actor: Who,
  input: TCreateClaimInput,
  seal: Seal<ClaimDto> = async () => undefined,
): Promise<ClaimDto> {
  return auditingUnreadable(deps, audit, actions.create, () =>
    auditedTransaction(deps, audit, async (tx, record) => {
      const { row, policy } = await checkClaim(tx, record, actor, input);
      const id = randomUUID();
      const now = deps.clock.now();
      const [claim] = await tx
        .insert(insuranceClaims)
        .values({
          id,
          policyId: policy.id,
          billingEntryId: row.entry.id,
          patientId: row.entry.patientId,
          amountMinor: input.amount.amountMinor,
          submittedBy: actor.userId,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      if (!claim) throw new Error("inserting a claim returned no row");
      record.audit({
        action: actions.create,
        outcome: "SUCCESS",
        targetType: "insurance_claim",
        targetId: id,
        patientId: claim.patientId,
        details: { policyId: policy.id, billingEntryId: row.entry.id, amountMinor: claim.amountMinor },
      });
      record.emit("claim.status_changed", {
        v: 1,
        claimId: id,
        policyId: policy.id,
        billingEntryId: row.entry.id,
        patientId: claim.patientId,
        from: null,
        to: "SUBMITTED",
        actorId: actor.userId,
      });
      const dto = toClaimDto(deps.fieldCipher, { claim, currency: row.entry.currency });
      await seal(tx, dto);
      return dto;
    }),
  );
}

/**
 * `PATCH /billing/claims/{id}` (STAFF, ADMIN): the claim locked, moved along its transition table
 * (INVALID_TRANSITION otherwise), with the time of the decision or payment and the reason when one
 * is given. A claim only leaves the live statuses (REJECTED), so no change here can make an
 * entry's live claims exceed its cover.
 */
export function changeClaimStatus(
  deps: BillingDeps,
  audit: AuditMeta,
  actor: Who,
  { id, status: to, reason }: TUpdateClaimInput,
): Promise<ClaimDto> {
  return auditingUnreadable(deps, audit, actions.status, () =>
    auditedTransaction(deps, audit, async (tx, record) => {
      const row = await findVisibleClaim(tx, actor, id, "update");
      if (!row)
        return record.refuse(
          notVisible(actions.status, "insurance_claim", id),
          new DomainError("NOT_FOUND", CLAIM_NOT_FOUND),
        );
      const from: ClaimStatus = row.claim.status;
      const verdict = checkTransition(CLAIM_TRANSITIONS, "claim", from, to);
      if (!verdict.ok)
        return record.refuse(
          refusedChange(actions.status, "insurance_claim", row.claim, { from, to, reason: verdict.reason }),
          new DomainError("INVALID_TRANSITION", verdict.message),
        );
      const now = deps.clock.now();
      const [claim] = await tx
        .update(insuranceClaims)
        .set({
          status: to,
          ...(reason ? { reason: sealBillingText(deps.fieldCipher, "claimReason", id, reason) } : {}),
          ...(to === "PAID" ? { paidAt: now } : { decidedAt: now }),
          updatedAt: now,
        })
        .where(eq(insuranceClaims.id, id))
        .returning();
      if (!claim) throw new Error("a locked claim vanished");
      record.audit({
        action: actions.status,
        outcome: "SUCCESS",
        targetType: "insurance_claim",
        targetId: id,
        patientId: claim.patientId,
        details: { from, to, withReason: Boolean(reason) },
      });
      record.emit("claim.status_changed", {
        v: 1,
        claimId: id,
        policyId: claim.policyId,
        billingEntryId: claim.billingEntryId,
        patientId: claim.patientId,
        from,
        to,
        actorId: actor.userId,
      });
      return toClaimDto(deps.fieldCipher, { claim, currency: row.currency });
    }),
  );
}
