import { randomUUID } from "node:crypto";
import type { Transaction } from "@medical/db";
import { type InsurancePolicy, insurancePolicies } from "@medical/db/schema";
import { and, eq, sql } from "drizzle-orm";
import { requirePatientProfile } from "#domains/patients/public.ts";
import { type AuditMeta, auditedTransaction, namedFields } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError, invalidField } from "#platform/errors/errors.ts";
import type { Seal } from "#platform/idempotency/idempotency.ts";
import type { ListInput, Page } from "#platform/list.ts";
import {
  findBillablePatient,
  findVisiblePolicy,
  listScope,
  PATIENT_NOT_FOUND,
  POLICY_NOT_FOUND,
  policyVisibleTo,
} from "./access.ts";
import { BILLING_ACTIONS, notVisible, refusedChange } from "./audit-events.ts";
import { auditOfPage } from "./audited-page.ts";
import { auditingUnreadable, openBillingText, sealBillingText } from "./billing-phi.ts";
import { type PatientScope, patientOfScope } from "./list-scope.ts";
import { policyList } from "./lists.ts";
import { hasLiveClaims } from "./live-claims.ts";
import type { TCreatePolicyInput, TUpdatePolicyInput } from "./policies.schema.ts";
import { type PolicyDto, toPolicyDto } from "./policy-dto.ts";
import { numberTaken, policyNumberKeys, writingNumber } from "./policy-number.ts";

type BillingDeps = Pick<Deps, "db" | "events" | "clock" | "fieldCipher">;
type Who = Pick<Actor, "userId" | "role">;

const actions = BILLING_ACTIONS.policy;

export interface ListPoliciesInput extends ListInput<"createdAt"> {
  isActive?: boolean | undefined;
}

/**
 * `GET /billing/policies/me` and `/billing/policies/patient/{patientId}`: one patient's policies.
 * Numbers are PHI: the page and its audit row are one statement.
 */
export function listPolicies(
  deps: Pick<Deps, "db" | "fieldCipher">,
  audit: AuditMeta,
  actor: Who,
  scope: Exclude<PatientScope, { view: "all" }>,
  input: ListPoliciesInput,
): Promise<Page<PolicyDto>> {
  return auditingUnreadable(deps, audit, actions.list, async () => {
    const patientId = await patientOfScope(deps, audit, actor, scope, actions.list);
    const { where, orderBy, limit } = policyList.keyset(input);
    const query = deps.db
      .select()
      .from(insurancePolicies)
      .where(
        and(
          policyVisibleTo(actor),
          listScope(actor, insurancePolicies.patientId),
          patientId === "none" || patientId === null
            ? sql`false`
            : eq(insurancePolicies.patientId, patientId),
          input.isActive === undefined ? undefined : eq(insurancePolicies.isActive, input.isActive),
          where,
        ),
      )
      .orderBy(...orderBy)
      .limit(limit);
    const page = deps.db.$with("page").as(query);
    const { auditRow, inOrder } = auditOfPage(
      deps.db,
      audit,
      {
        action: actions.list,
        outcome: "SUCCESS",
        targetType: "insurance_policy",
        details: { view: scope.view },
      },
      page,
      {
        sort: page.createdAt,
        id: page.id,
        order: input.order,
        limit: input.limit,
        patientId: patientId === "none" ? null : patientId,
      },
    );
    const rows = await deps.db
      .with(page, auditRow)
      .select()
      .from(page)
      .orderBy(...inOrder);
    const { items, nextCursor } = policyList.pageFrom(input, rows);
    return { items: items.map((policy) => toPolicyDto(deps.fieldCipher, policy)), nextCursor };
  });
}

/**
 * `POST /billing/policies`: a PATIENT registers their own (PROFILE_REQUIRED without an active
 * profile; another `patientId` is a refused, audited FORBIDDEN); STAFF and ADMIN name the patient
 * (400 without one), who must be one they see. A number another policy holds (see numberTaken) is
 * an audited POLICY_EXISTS. The policy, its number encrypted and keyed, its audit event and the
 * answer sealed for an Idempotency-Key commit together.
 */
export async function createPolicy(
  deps: BillingDeps,
  audit: AuditMeta,
  actor: Who,
  input: TCreatePolicyInput,
  seal: Seal<PolicyDto> = async () => undefined,
): Promise<PolicyDto> {
  const own = actor.role === "PATIENT" ? (await requirePatientProfile(deps, actor)).id : undefined;
  const named = input.patientId;
  const target = own ?? named;
  if (!target) throw invalidField(["patientId"], "required for STAFF and ADMIN");
  return auditingUnreadable(deps, audit, actions.create, () =>
    auditedTransaction(deps, audit, async (tx, record) => {
      if (own && named && named !== own)
        return record.refuse(
          {
            action: actions.create,
            outcome: "DENIED",
            targetType: "patient",
            targetId: named,
            details: { reason: "not_own" },
          },
          new DomainError("FORBIDDEN", "A patient registers their own policies only"),
        );
      const patientId = own ?? (await findBillablePatient(tx, actor, target));
      if (!patientId)
        return record.refuse(
          notVisible(actions.create, "patient", target),
          new DomainError("NOT_FOUND", PATIENT_NOT_FOUND),
        );
      const id = randomUUID();
      const now = deps.clock.now();
      const keys = policyNumberKeys(deps.fieldCipher, input.provider, input.policyNumber);
      const taken = () =>
        record.refuse(
          {
            action: actions.create,
            outcome: "DENIED",
            targetType: "patient",
            targetId: patientId,
            patientId,
            details: { reason: "policy_exists" },
          },
          new DomainError("POLICY_EXISTS"),
        );
      if (await numberTaken(tx, keys, { id, patientId, isActive: true })) return taken();
      const [policy] = await writingNumber(
        tx,
        (savepoint) =>
          savepoint
            .insert(insurancePolicies)
            .values({
              id,
              patientId,
              provider: input.provider,
              policyNumber: sealBillingText(deps.fieldCipher, "policyNumber", id, input.policyNumber),
              numberKey: keys[0],
              coveragePercent: input.coveragePercent,
              validFrom: input.validFrom,
              validTo: input.validTo ?? null,
              createdBy: actor.userId,
              createdAt: now,
              updatedAt: now,
            })
            .returning(),
        taken,
      );
      if (!policy) throw new Error("inserting a policy returned no row");
      record.audit({
        action: actions.create,
        outcome: "SUCCESS",
        targetType: "insurance_policy",
        targetId: id,
        patientId,
        details: { coveragePercent: input.coveragePercent },
      });
      const dto = toPolicyDto(deps.fieldCipher, policy);
      await seal(tx, dto);
      return dto;
    }),
  );
}

/** Whether the change narrows the cover: a lower share, a later start, an earlier (or any) end. */
function narrows(policy: InsurancePolicy, changes: Omit<TUpdatePolicyInput, "id">): boolean {
  const { coveragePercent, validFrom, validTo } = changes;
  return (
    (coveragePercent !== undefined && coveragePercent < policy.coveragePercent) ||
    (validFrom !== undefined && validFrom > policy.validFrom) ||
    (validTo !== undefined && validTo !== null && (policy.validTo === null || validTo < policy.validTo))
  );
}

/**
 * `PATCH /billing/policies/{id}` (STAFF, ADMIN). The policy is locked (`FOR UPDATE`): a claim
 * being made holds it shared until it commits, so terms never change under a claim's check. With
 * live claims the terms may only widen (IN_USE otherwise). A new provider or number, or a
 * reactivation, claims the number anew (POLICY_EXISTS when another policy holds it).
 */
export function updatePolicy(
  deps: BillingDeps,
  audit: AuditMeta,
  actor: Who,
  { id, ...changes }: TUpdatePolicyInput,
): Promise<PolicyDto> {
  const fields = namedFields(changes);
  return auditingUnreadable(deps, audit, actions.update, () =>
    auditedTransaction(deps, audit, async (tx, record) => {
      const policy = await findVisiblePolicy(tx, actor, id, "update");
      if (!policy)
        return record.refuse(
          notVisible(actions.update, "insurance_policy", id),
          new DomainError("NOT_FOUND", POLICY_NOT_FOUND),
        );
      const validFrom = changes.validFrom ?? policy.validFrom;
      const validTo = changes.validTo === undefined ? policy.validTo : changes.validTo;
      if (validTo !== null && validTo < validFrom)
        throw invalidField(["validTo"], "validTo must not be before validFrom");
      if (narrows(policy, changes) && (await hasLiveClaims(tx, { policyId: id })))
        return record.refuse(
          refusedChange(actions.update, "insurance_policy", policy, { fields, reason: "live_claims" }),
          new DomainError("IN_USE", "The policy has live claims: its terms may only widen"),
        );
      const { policyNumber, ...plain } = changes;
      const isActive = changes.isActive ?? policy.isActive;
      const claimsNumber =
        changes.provider !== undefined || policyNumber !== undefined || (isActive && !policy.isActive);
      const taken = () =>
        record.refuse(
          refusedChange(actions.update, "insurance_policy", policy, { fields, reason: "policy_exists" }),
          new DomainError("POLICY_EXISTS"),
        );
      const keys = claimsNumber
        ? policyNumberKeys(
            deps.fieldCipher,
            changes.provider ?? policy.provider,
            policyNumber ?? openBillingText(deps.fieldCipher, "policyNumber", policy, policy.policyNumber),
          )
        : undefined;
      if (keys && (await numberTaken(tx, keys, { id, patientId: policy.patientId, isActive })))
        return taken();
      const write = (db: Transaction) =>
        db
          .update(insurancePolicies)
          .set({
            ...plain,
            ...(policyNumber
              ? { policyNumber: sealBillingText(deps.fieldCipher, "policyNumber", id, policyNumber) }
              : {}),
            ...(keys ? { numberKey: keys[0] } : {}),
            updatedAt: deps.clock.now(),
          })
          .where(eq(insurancePolicies.id, id))
          .returning();
      const [updated] = await (keys ? writingNumber(tx, write, taken) : write(tx));
      if (!updated) throw new Error("a locked policy vanished");
      record.audit({
        action: actions.update,
        outcome: "SUCCESS",
        targetType: "insurance_policy",
        targetId: id,
        patientId: policy.patientId,
        details: { fields },
      });
      return toPolicyDto(deps.fieldCipher, updated);
    }),
  );
}

/**
 * `DELETE /billing/policies/{id}`: deactivation (STAFF, ADMIN, the patient for their own). The
 * policy stays for its claims; it takes no new one. Locked like a change, so a claim being made
 * on it finishes first or sees it inactive.
 */
export async function deactivatePolicy(
  deps: BillingDeps,
  audit: AuditMeta,
  actor: Who,
  id: string,
): Promise<void> {
  await auditedTransaction(deps, audit, async (tx, record) => {
    const policy = await findVisiblePolicy(tx, actor, id, "update");
    if (!policy)
      return record.refuse(
        notVisible(actions.deactivate, "insurance_policy", id),
        new DomainError("NOT_FOUND", POLICY_NOT_FOUND),
      );
    if (policy.isActive)
      await tx
        .update(insurancePolicies)
        .set({ isActive: false, updatedAt: deps.clock.now() })
        .where(eq(insurancePolicies.id, id));
    record.audit({
      action: actions.deactivate,
      outcome: "SUCCESS",
      targetType: "insurance_policy",
      targetId: id,
      patientId: policy.patientId,
      details: { wasActive: policy.isActive },
    });
  });
}
