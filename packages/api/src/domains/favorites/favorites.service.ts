import { doctors, favorites, users } from "@medical/db/schema";
import { and, eq } from "drizzle-orm";
import {
  type DoctorDto,
  type DoctorRow,
  doctorDtoColumns,
  doctorNameColumns,
  publicDoctorVisible,
  requireActiveDoctor,
  toDoctorDtos,
} from "#domains/doctors/public.ts";
import { requirePatientProfile } from "#domains/patients/public.ts";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { defineList, type ListInput, type Page } from "#platform/list.ts";
import { favoriteVisibleTo } from "./access.ts";

type FavoriteRow = DoctorRow & { addedAt: Date };

/** Newest first by default, along `favorites_patient_time` (patient, time, doctor). */
export const favoriteList = defineList<FavoriteRow, "addedAt">({
  sorts: { addedAt: favorites.createdAt },
  id: { column: favorites.doctorId, valueOf: (row) => row.doctor.id },
  defaultSort: "addedAt",
  defaultOrder: "desc",
});

/** Idempotent: favouriting twice keeps one favourite. The doctor must be one the public sees. */
export async function addFavorite(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  doctorId: string,
): Promise<void> {
  const patient = await requirePatientProfile(deps, actor);
  await requireActiveDoctor(deps, doctorId);
  await auditedTransaction(deps, audit, async (tx) => {
    await tx
      .insert(favorites)
      .values({ patientId: patient.id, doctorId, createdAt: deps.clock.now() })
      .onConflictDoNothing();
  });
}

/** Idempotent: removing a favourite that is not there is not an error. */
export async function removeFavorite(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  doctorId: string,
): Promise<void> {
  await requirePatientProfile(deps, actor);
  await auditedTransaction(deps, audit, async (tx) => {
    await tx.delete(favorites).where(and(eq(favorites.doctorId, doctorId), favoriteVisibleTo(actor)));
  });
}

/** The caller's favourite doctors, newest first; deactivated doctors drop out. */
export async function listFavorites(
  deps: Pick<Deps, "db">,
  actor: Actor,
  input: ListInput<"addedAt">,
): Promise<Page<DoctorDto>> {
  await requirePatientProfile(deps, actor);
  const page = await favoriteList.page(input, ({ where, orderBy, limit }) =>
    deps.db
      .select({ addedAt: favorites.createdAt, doctor: doctorDtoColumns, user: doctorNameColumns })
      .from(favorites)
      .innerJoin(doctors, eq(doctors.id, favorites.doctorId))
      .innerJoin(users, eq(users.id, doctors.userId))
      .where(and(favoriteVisibleTo(actor), publicDoctorVisible(), where))
      .orderBy(...orderBy)
      .limit(limit),
  );
  return { items: await toDoctorDtos(deps.db, page.items), nextCursor: page.nextCursor };
}
