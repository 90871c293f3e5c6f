import { pgErrorFacts } from "@medical/db";
import { type Specialty, specialties } from "@medical/db/schema";
import { asc, eq } from "drizzle-orm";
import type { SpecialtyDto } from "#domains/doctors/doctor-dto.ts";
import type { AuditMeta } from "#platform/audit/audit.ts";
import { recordAudit } from "#platform/audit/audit.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";

const UNIQUE_VIOLATION = "23505";
const FOREIGN_KEY_VIOLATION = "23503";

const toDto = ({ id, name, description }: Specialty): SpecialtyDto => ({ id, name, description });

/** Names collide after lower-casing and removing accents (the unique index decides, races too). */
function nameTaken(error: unknown): never {
  if (pgErrorFacts(error)?.code === UNIQUE_VIOLATION) {
    throw new DomainError("CONFLICT", "A specialty with this name already exists");
  }
  throw error;
}

export async function listSpecialties(deps: Pick<Deps, "db">): Promise<SpecialtyDto[]> {
  return (await deps.db.select().from(specialties).orderBy(asc(specialties.nameKey))).map(toDto);
}

export async function createSpecialty(
  deps: Deps,
  audit: AuditMeta,
  input: { name: string; description?: string | null },
): Promise<SpecialtyDto> {
  const [row] = await deps.db
    .insert(specialties)
    .values({ name: input.name, description: input.description ?? null })
    .returning()
    .catch(nameTaken);
  if (!row) throw new Error("insert returned no row");
  await recordAudit(deps.db, audit, {
    action: "specialty.created",
    outcome: "SUCCESS",
    targetType: "specialty",
    targetId: row.id,
  });
  return toDto(row);
}

export async function updateSpecialty(
  deps: Deps,
  audit: AuditMeta,
  id: string,
  changes: { name?: string; description?: string | null },
): Promise<SpecialtyDto> {
  const [row] = await deps.db
    .update(specialties)
    .set(changes)
    .where(eq(specialties.id, id))
    .returning()
    .catch(nameTaken);
  if (!row) throw new DomainError("NOT_FOUND", "Specialty not found");
  await recordAudit(deps.db, audit, {
    action: "specialty.updated",
    outcome: "SUCCESS",
    targetType: "specialty",
    targetId: id,
  });
  return toDto(row);
}

/** A specialty a doctor still has cannot go: the foreign key decides, so a concurrent link cannot slip by. */
export async function deleteSpecialty(deps: Deps, audit: AuditMeta, id: string): Promise<void> {
  const deleted = await deps.db
    .delete(specialties)
    .where(eq(specialties.id, id))
    .returning({ id: specialties.id })
    .catch((error: unknown) => {
      if (pgErrorFacts(error)?.code === FOREIGN_KEY_VIOLATION)
        throw new DomainError("IN_USE", "Doctors still have this specialty");
      throw error;
    });
  if (!deleted.length) throw new DomainError("NOT_FOUND", "Specialty not found");
  await recordAudit(deps.db, audit, {
    action: "specialty.deleted",
    outcome: "SUCCESS",
    targetType: "specialty",
    targetId: id,
  });
}
