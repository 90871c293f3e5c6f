import { doctors, favorites, users } from "@medical/db/schema";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import {
  type DoctorDto,
  type DoctorRow,
  doctorDtoColumns,
  doctorNameColumns,
  toDoctorDtos,
} from "#domains/doctors/doctor-dto.ts";
import { requirePatientProfile } from "#domains/patients/public.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { dateSortValue, type KeysetSort, keyset, parseDateSortValue } from "#platform/pagination.ts";

async function requireActiveDoctor(deps: Pick<Deps, "db">, doctorId: string): Promise<void> {
  const [doctor] = await deps.db
    .select({ id: doctors.id })
    .from(doctors)
    .where(and(eq(doctors.id, doctorId), eq(doctors.isActive, true)))
    .limit(1);
  if (!doctor) throw new DomainError("NOT_FOUND", "Doctor not found");
}

/** Idempotent: favouriting twice keeps one favourite. */
export async function addFavorite(deps: Deps, actor: Actor, doctorId: string): Promise<void> {
  const patient = await requirePatientProfile(deps, actor);
  await requireActiveDoctor(deps, doctorId);
  await deps.db
    .insert(favorites)
    .values({ patientId: patient.id, doctorId, createdAt: deps.clock.now() })
    .onConflictDoNothing();
}

/** Idempotent: removing a favourite that is not there is not an error. */
export async function removeFavorite(deps: Deps, actor: Actor, doctorId: string): Promise<void> {
  const patient = await requirePatientProfile(deps, actor);
  await deps.db
    .delete(favorites)
    .where(and(eq(favorites.patientId, patient.id), eq(favorites.doctorId, doctorId)));
}

type FavoriteRow = DoctorRow & { id: string; addedAt: Date };

const byAdded: KeysetSort<FavoriteRow> = {
  name: "addedAt",
  column: favorites.createdAt,
  valueOf: (row) => dateSortValue(row.addedAt),
  parse: parseDateSortValue,
};

/** The caller's favourite doctors, newest first; deactivated doctors drop out. */
export async function listFavorites(
  deps: Deps,
  actor: Actor,
  input: { limit: number; cursor?: string },
): Promise<{ items: DoctorDto[]; nextCursor: string | null }> {
  const patient = await requirePatientProfile(deps, actor);
  const page = keyset<string, FavoriteRow>(
    byAdded,
    { column: favorites.doctorId, schema: z.uuid() },
    "desc",
    input,
  );
  const rows = await deps.db
    .select({
      id: favorites.doctorId,
      addedAt: favorites.createdAt,
      doctor: doctorDtoColumns,
      user: doctorNameColumns,
    })
    .from(favorites)
    .innerJoin(doctors, eq(doctors.id, favorites.doctorId))
    .innerJoin(users, eq(users.id, doctors.userId))
    .where(and(eq(favorites.patientId, patient.id), eq(doctors.isActive, true), page.where))
    .orderBy(...page.orderBy)
    .limit(page.take);
  const { items, nextCursor } = page.page(rows);
  return { items: await toDoctorDtos(deps.db, items), nextCursor };
}

export { requireActiveDoctor };
