import type { Executor } from "@medical/db";
import { pgErrorFacts } from "@medical/db";
import { specialties } from "@medical/db/schema";
import { eq, inArray } from "drizzle-orm";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError, invalidField } from "#platform/errors/errors.ts";
import { defineList, type ListInput, type Page } from "#platform/list.ts";
import { type SpecialtyDto, specialtyColumns, toSpecialtyDto } from "./specialty-dto.ts";

const UNIQUE_VIOLATION = "23505";
const FOREIGN_KEY_VIOLATION = "23503";

type SpecialtyRow = SpecialtyDto & { nameKey: string | null };

/** By name, accents and case aside (the key the unique index holds). */
export const specialtyList = defineList({
  sorts: {
    name: {
      column: specialties.nameKey,
      valueOf: (row: SpecialtyRow) => {
        // Generated from the NOT NULL name; drizzle types generated columns as nullable.
        if (row.nameKey === null) throw new Error(`specialty ${row.id} has no name_key`);
        return row.nameKey;
      },
    },
  },
  id: specialties.id,
  defaultSort: "name",
  defaultOrder: "asc",
});

/** Names collide after lower-casing and removing accents (the unique index decides, races too). */
function nameTaken(error: unknown): never {
  if (pgErrorFacts(error)?.code === UNIQUE_VIOLATION) {
    throw new DomainError("CONFLICT", "A specialty with this name already exists");
  }
  throw error;
}

/** Public: the reference list doctors pick from. */
export async function listSpecialties(
  deps: Pick<Deps, "db">,
  input: ListInput<"name">,
): Promise<Page<SpecialtyDto>> {
  const page = await specialtyList.page(input, ({ where, orderBy, limit }) =>
    deps.db
      .select(specialtyColumns)
      .from(specialties)
      .where(where)
      .orderBy(...orderBy)
      .limit(limit),
  );
  return { items: page.items.map(toSpecialtyDto), nextCursor: page.nextCursor };
}

/** Every id names a specialty (a doctor's profile refers to them). */
export async function requireSpecialties(db: Executor, ids: string[]): Promise<void> {
  const unique = [...new Set(ids)];
  const known = await db
    .select({ id: specialties.id })
    .from(specialties)
    .where(inArray(specialties.id, unique));
  if (known.length !== unique.length) throw invalidField(["specialtyIds"], "unknown specialty");
}

export function createSpecialty(
  deps: Deps,
  audit: AuditMeta,
  input: { name: string; description?: string | null },
): Promise<SpecialtyDto> {
  return auditedTransaction(deps, audit, async (tx, record) => {
    const [row] = await tx
      .insert(specialties)
      .values({ name: input.name, description: input.description ?? null })
      .returning(specialtyColumns)
      .catch(nameTaken);
    if (!row) throw new Error("insert returned no row");
    record.audit({
      action: "specialty.created",
      outcome: "SUCCESS",
      targetType: "specialty",
      targetId: row.id,
    });
    return toSpecialtyDto(row);
  });
}

export function updateSpecialty(
  deps: Deps,
  audit: AuditMeta,
  id: string,
  changes: { name?: string; description?: string | null },
): Promise<SpecialtyDto> {
  return auditedTransaction(deps, audit, async (tx, record) => {
    const [row] = await tx
      .update(specialties)
      .set(changes)
      .where(eq(specialties.id, id))
      .returning(specialtyColumns)
      .catch(nameTaken);
    if (!row) throw new DomainError("NOT_FOUND", "Specialty not found");
    record.audit({ action: "specialty.updated", outcome: "SUCCESS", targetType: "specialty", targetId: id });
    return toSpecialtyDto(row);
  });
}

/**
 * A specialty a doctor still has cannot go: the foreign key decides, so a concurrent link cannot
 * slip by. The refusal is audited: an administrator tried to remove data others depend on.
 */
export function deleteSpecialty(deps: Deps, audit: AuditMeta, id: string): Promise<void> {
  const entry = { action: "specialty.deleted", targetType: "specialty", targetId: id } as const;
  return auditedTransaction(deps, audit, async (tx, record) => {
    const deleted = await tx
      .delete(specialties)
      .where(eq(specialties.id, id))
      .returning({ id: specialties.id })
      .catch((error: unknown) => {
        if (pgErrorFacts(error)?.code !== FOREIGN_KEY_VIOLATION) throw error;
        return record.refuse(
          { ...entry, outcome: "DENIED", details: { reason: "in_use" } },
          new DomainError("IN_USE", "Doctors still have this specialty"),
        );
      });
    if (!deleted.length) throw new DomainError("NOT_FOUND", "Specialty not found");
    record.audit({ ...entry, outcome: "SUCCESS" });
  });
}
