import { patients, users } from "@medical/db/schema";
import { and, eq, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { createUser } from "#domains/identity/users.service.ts";
import { type AuditMeta, recordAudit } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import {
  dateSortValue,
  type KeysetSort,
  keyset,
  type Order,
  parseDateSortValue,
  parseStringSortValue,
} from "#platform/pagination.ts";
import { can, patientVisibleTo } from "./access.ts";
import { auditClinical } from "./clinical.ts";
import { type PatientDto, type PatientRow, toPatientDto } from "./patient-dto.ts";
import { findVisiblePatient, selectPatientRows } from "./patient-rows.ts";
import {
  auditingUnreadable,
  insertProfile,
  type NewProfile,
  type ProfileChanges,
  profileAnswer,
  refuseWrite,
  updateProfile,
  type WriteRefusal,
  writeRefusal,
} from "./profiles.service.ts";

/** `POST /patients` (ADMIN, STAFF): for an existing PATIENT account, or a new invited one. */
export type CreatePatientInput = NewProfile &
  (
    | { userId: string }
    | { email: string; firstName: string; lastName: string; phone?: string | null; locale?: string }
  );

export async function createPatient(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  input: CreatePatientInput,
): Promise<PatientDto> {
  if (writeRefusal(actor, input)) await refuseWrite(deps, audit, null, input, "not_permitted");
  let row: PatientRow | undefined;
  if ("userId" in input) {
    const { userId, ...profile } = input;
    row = await deps.db.transaction(async (tx) => {
      const [account] = await tx
        .select({ role: users.role })
        .from(users)
        .where(eq(users.id, userId))
        .limit(1);
      if (account?.role !== "PATIENT")
        throw new DomainError("VALIDATION_FAILED", "Invalid input: userId: not a PATIENT account");
      return insertProfile(deps, tx, audit, userId, profile);
    });
  } else {
    const { email, firstName, lastName, phone, locale, ...profile } = input;
    const account = { email, firstName, lastName, phone, locale, role: "PATIENT" as const };
    await createUser(deps, audit, account, async (tx, user) => {
      row = await insertProfile(deps, tx, audit, user.id, profile);
    });
  }
  if (!row) throw new Error("createPatient inserted no profile");
  return profileAnswer(deps, audit, actor, row, { wroteClinical: input.clinical !== undefined });
}

export const PATIENT_SORTS = {
  createdAt: {
    name: "createdAt",
    column: patients.createdAt,
    valueOf: (row: PatientRow) => dateSortValue(row.createdAt),
    parse: parseDateSortValue,
  },
  lastName: {
    name: "lastName",
    column: users.lastName,
    valueOf: (row: PatientRow) => row.lastName,
    parse: parseStringSortValue,
  },
} satisfies Record<string, KeysetSort<PatientRow>>;

export interface ListPatientsInput {
  q?: string;
  city?: string;
  /** Deactivated profiles are hidden unless asked for (`isActive=false`). */
  isActive?: boolean;
  sort: keyof typeof PATIENT_SORTS;
  order: Order;
  limit: number;
  cursor?: string;
}

/**
 * Role-scoped list (ADMIN and STAFF all, a DOCTOR the patients they treat), keyset pages. Items
 * never carry clinical fields: reading them is one audited profile read at a time.
 */
export async function listPatients(
  deps: Deps,
  actor: Actor,
  input: ListPatientsInput,
): Promise<{ items: PatientDto[]; nextCursor: string | null }> {
  const page = keyset(
    PATIENT_SORTS[input.sort],
    { column: patients.id, schema: z.uuid() },
    input.order,
    input,
  );
  const filters: (SQL | undefined)[] = [
    patientVisibleTo(actor),
    eq(patients.isActive, input.isActive ?? true),
    input.q ? sql`${users.searchKey} like '%' || f_search_key(${input.q}) || '%'` : undefined,
    input.city ? sql`f_search_key(${patients.city}) = f_search_key(${input.city})` : undefined,
    page.where,
  ];
  const rows = await selectPatientRows(deps.db)
    .where(and(...filters))
    .orderBy(...page.orderBy)
    .limit(page.take);
  const { items, nextCursor } = page.page(rows);
  return { items: items.map((row) => toPatientDto(row)), nextCursor };
}

/**
 * `GET /patients/{id}`: NOT_FOUND outside the actor's scope. A refused look-up by a role that
 * could read clinical fields is audited as a denied clinical read.
 */
export async function getPatient(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  id: string,
): Promise<PatientDto> {
  const row = await findVisiblePatient(deps.db, actor, id);
  if (!row) {
    if (can(actor, "read:clinical")) await auditClinical(deps.db, audit, id, "read", "DENIED", "not_visible");
    throw new DomainError("NOT_FOUND", "Patient not found");
  }
  return profileAnswer(deps, audit, actor, row);
}

/**
 * `PATCH /patients/{id}`: NOT_FOUND outside the actor's scope, then FORBIDDEN for fields the role
 * may not write (STAFF sending clinical fields is refused, never silently dropped).
 */
export async function updatePatient(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  id: string,
  changes: ProfileChanges,
): Promise<PatientDto> {
  const result = await auditingUnreadable(deps, audit, "write", () =>
    deps.db.transaction(async (tx): Promise<{ refused: WriteRefusal } | { row: PatientRow }> => {
      const current = await findVisiblePatient(tx, actor, id, { lock: true });
      if (!current) return { refused: "not_visible" };
      const refusal = writeRefusal(actor, changes);
      if (refusal) return { refused: refusal };
      return { row: await updateProfile(deps, tx, audit, current, changes) };
    }),
  );
  // Refusals are audited after the transaction, so the event survives the refusal.
  if ("refused" in result) return refuseWrite(deps, audit, id, changes, result.refused);
  return profileAnswer(deps, audit, actor, result.row, { wroteClinical: changes.clinical !== undefined });
}

/** `DELETE /patients/{id}` (ADMIN): deactivates the profile; the account and records stay. */
export async function deactivatePatient(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  id: string,
): Promise<void> {
  if (!can(actor, "delete:patient")) throw new DomainError("FORBIDDEN");
  await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(patients)
      .set({ isActive: false, updatedAt: deps.clock.now() })
      .where(and(eq(patients.id, id), patientVisibleTo(actor)))
      .returning({ id: patients.id });
    if (!row) throw new DomainError("NOT_FOUND", "Patient not found");
    await recordAudit(tx, audit, {
      action: "patient.deactivated",
      outcome: "SUCCESS",
      targetType: "patient",
      targetId: id,
    });
  });
}
