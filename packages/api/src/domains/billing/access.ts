import type { Executor } from "@medical/db";
import {
  billingEntries,
  type InsurancePolicy,
  insuranceClaims,
  insurancePolicies,
  patients,
} from "@medical/db/schema";
import { and, eq, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { doctorTreatsPatientSql, treatedByDoctorSql } from "#domains/scheduling/public.ts";
import { type AuditTargetType, auditAttempt } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Role } from "#platform/auth/roles.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { authedProcedure } from "#platform/trpc.ts";
import { type ClaimRow, selectClaimRows } from "./claim-dto.ts";
import { type EntryRow, selectEntryRows } from "./entry-dto.ts";

export const ENTRY_NOT_FOUND = "Billing entry not found";
export const POLICY_NOT_FOUND = "Insurance policy not found";
export const CLAIM_NOT_FOUND = "Insurance claim not found";
export const PATIENT_NOT_FOUND = "Patient not found";

type Who = Pick<Actor, "userId" | "role">;

/**
 * The billing data of the patient `patientId` (a column of the outer query) that the actor may
 * see: STAFF and ADMIN everybody's (the front desk bills), a PATIENT their own, a DOCTOR that of
 * the patients they treat (scheduling's care relationship, the only definition of it). Every
 * billing query MUST AND this in; a row outside it answers NOT_FOUND, never FORBIDDEN.
 * Security-sensitive: every change comes with a row in the cross-tenant table (access.cases.ts).
 */
function billingOf(actor: Who, patientId: AnyPgColumn): SQL {
  switch (actor.role) {
    case "ADMIN":
    case "STAFF":
      return sql`true`;
    case "PATIENT":
      return sql`${patientId} = (select ${patients.id} from ${patients} where ${eq(patients.userId, actor.userId)})`;
    case "DOCTOR":
      return doctorTreatsPatientSql(actor, patientId);
  }
}

export const entryVisibleTo = (actor: Who): SQL => billingOf(actor, billingEntries.patientId);
export const policyVisibleTo = (actor: Who): SQL => billingOf(actor, insurancePolicies.patientId);
export const claimVisibleTo = (actor: Who): SQL => billingOf(actor, insuranceClaims.patientId);

/**
 * What a list ANDs beside the predicate: for a DOCTOR, the patients they treat as a set first
 * (scheduling's treatedByDoctorSql), so a list starts from their patients, not from every row.
 */
export function listScope(actor: Who, patientId: AnyPgColumn): SQL | undefined {
  return actor.role === "DOCTOR" ? treatedByDoctorSql(actor, patientId) : undefined;
}

/** How a row is read for a change: locked for it, or shared (its terms stay put meanwhile). */
export type Lock = "update" | "share";

/** One billing entry with its appointment's date facts, if the actor may see it. */
export async function findVisibleEntry(
  db: Executor,
  actor: Who,
  id: string,
  lock?: Lock,
): Promise<EntryRow | undefined> {
  const query = selectEntryRows(db)
    .where(and(eq(billingEntries.id, id), entryVisibleTo(actor)))
    .limit(1);
  const [row] = lock ? await query.for(lock, { of: billingEntries }) : await query;
  return row;
}

/** One policy, if the actor may see it. */
export async function findVisiblePolicy(
  db: Executor,
  actor: Who,
  id: string,
  lock?: Lock,
): Promise<InsurancePolicy | undefined> {
  const query = db
    .select()
    .from(insurancePolicies)
    .where(and(eq(insurancePolicies.id, id), policyVisibleTo(actor)))
    .limit(1);
  const [row] = lock ? await query.for(lock) : await query;
  return row;
}

/** One claim with its entry's currency, if the actor may see it. */
export async function findVisibleClaim(
  db: Executor,
  actor: Who,
  id: string,
  lock?: Lock,
): Promise<ClaimRow | undefined> {
  const query = selectClaimRows(db)
    .where(and(eq(insuranceClaims.id, id), claimVisibleTo(actor)))
    .limit(1);
  const [row] = lock ? await query.for(lock, { of: insuranceClaims }) : await query;
  return row;
}

/** The patient profile `id` if the actor may see its billing (the same predicate), else undefined. */
export async function findBillablePatient(db: Executor, actor: Who, id: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: patients.id })
    .from(patients)
    .where(and(eq(patients.id, id), billingOf(actor, patients.id)))
    .limit(1);
  return row?.id;
}

/** The caller's own patient profile id (a PATIENT's), through the same predicate; undefined without one. */
export async function findOwnPatient(db: Executor, actor: Who): Promise<string | undefined> {
  const [row] = await db
    .select({ id: patients.id })
    .from(patients)
    .where(and(eq(patients.userId, actor.userId), billingOf(actor, patients.id)))
    .limit(1);
  return row?.id;
}

/**
 * 403 for a known caller without one of the roles, like `roleProcedure`, and the refusal is
 * audited: a denied attempt at billing data is part of its PHI trail (issue 17). The input is not
 * read yet, so the event names the action and the kind of row, not which row.
 */
export function billingProcedure(
  refused: { action: string; targetType: AuditTargetType },
  ...allowed: [Role, ...Role[]]
) {
  return authedProcedure.use(async function requireBillingRole({ ctx, next }) {
    if (!allowed.includes(ctx.actor.role)) {
      await auditAttempt(ctx.deps, ctx.audit, {
        ...refused,
        outcome: "DENIED",
        details: { reason: "role" },
      });
      throw new DomainError("FORBIDDEN");
    }
    return next();
  });
}
