import { doctors, favorites, users } from "@medical/db/schema";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import {
  type DoctorDto,
  doctorDtoColumns,
  doctorExample,
  doctorNameColumns,
  publicDoctorVisible,
  toDoctorDtos,
  ZDoctorDto,
} from "#domains/doctors/public.ts";
import type { ExportPart } from "#platform/export-part.ts";
import { ZTimestamp } from "#platform/fields/fields.ts";
import { named } from "#platform/named.ts";
import { favoriteList } from "./favorites.service.ts";

const ZFavorite = z.object({
  doctorId: z.uuid(),
  addedAt: ZTimestamp.meta({ description: "When the patient added the doctor to their favourites" }),
  doctor: ZDoctorDto.nullable().meta({
    description:
      "The doctor as `GET /doctors/me/favorites` shows them; null once the public no longer sees them (a deactivated profile), though the patient still holds the favourite",
  }),
});
type ExportedFavorite = z.infer<typeof ZFavorite>;

const favoriteExample: ExportedFavorite = {
  doctorId: doctorExample.id,
  addedAt: new Date("2026-11-20T18:00:00.000Z"),
  doctor: doctorExample,
};

const ZExportedFavorite = named(ZFavorite, "ExportedFavorite", {
  description: "A doctor the patient added to their favourites",
  example: favoriteExample,
});

/**
 * The favourites section of a patient's data export: every doctor the patient follows, oldest
 * first, each as the favourites route shows it (or null for a doctor the public no longer sees,
 * whom that route leaves out), with when it was added. Keyset pages of `favorites_patient_time`;
 * reads by patient, without the access predicate (the export service decides who exports whose
 * file: ADMIN's export of a patient includes them, though no other route shows ADMIN a favourite).
 */
export const favoritesExportPart: ExportPart<ExportedFavorite[]> = {
  schema: z.array(ZExportedFavorite).meta({ description: "The patient's favourite doctors, oldest first" }),
  example: [favoriteExample],
  async read(tx, subject) {
    const items: ExportedFavorite[] = [];
    const pages = favoriteList.pages({ sort: "addedAt", order: "asc" }, ({ where, orderBy, limit }) =>
      tx
        .select({
          addedAt: favorites.createdAt,
          doctor: doctorDtoColumns,
          user: doctorNameColumns,
          visible: sql<boolean>`${publicDoctorVisible()}`,
        })
        .from(favorites)
        .innerJoin(doctors, eq(doctors.id, favorites.doctorId))
        .innerJoin(users, eq(users.id, doctors.userId))
        .where(and(eq(favorites.patientId, subject.patientId), where))
        .orderBy(...orderBy)
        .limit(limit),
    );
    for await (const rows of pages) {
      const shown = new Map<string, DoctorDto>(
        (
          await toDoctorDtos(
            tx,
            rows.filter((row) => row.visible),
          )
        ).map((dto) => [dto.id, dto]),
      );
      for (const row of rows)
        items.push({
          doctorId: row.doctor.id,
          addedAt: row.addedAt,
          doctor: shown.get(row.doctor.id) ?? null,
        });
    }
    return items;
  },
  counts: (section) => ({ favorites: section.length }),
  // Favourites hold no encrypted text.
  isUnreadable: () => false,
};
