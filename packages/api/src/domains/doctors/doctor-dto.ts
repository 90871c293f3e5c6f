import { type Executor, pickColumns } from "@medical/db";
import { type Doctor, doctorSpecialties, doctors, specialties, type User, users } from "@medical/db/schema";
import { asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { ZSpecialtyDto } from "#domains/specialties/public.ts";

/** The public face of a doctor: never the account's email or personal phone. */
export const ZDoctorDto = z.object({
  id: z.uuid(),
  firstName: z.string(),
  lastName: z.string(),
  bio: z.string().nullable(),
  yearsOfExperience: z.number().int(),
  clinicName: z.string().nullable(),
  clinicAddress: z.string().nullable(),
  city: z.string(),
  country: z.string(),
  fee: z.object({ amountMinor: z.number().int(), currency: z.string() }),
  languages: z.array(z.string()),
  timezone: z.string(),
  appointmentMinutes: z.number().int(),
  clinicPhone: z.string().nullable(),
  specialties: z.array(ZSpecialtyDto.pick({ id: true, name: true })),
  rating: z.object({ average: z.number(), count: z.number().int() }),
});
export type DoctorDto = z.infer<typeof ZDoctorDto>;

/**
 * The columns a DTO (and a sort cursor) needs: reads select these, not whole rows, since search
 * keys and timestamps would only cost mapping time on every page.
 */
export const doctorDtoColumns = pickColumns(doctors, [
  "id",
  "bio",
  "yearsOfExperience",
  "clinicName",
  "clinicAddress",
  "city",
  "country",
  "feeAmountMinor",
  "feeCurrency",
  "languages",
  "timezone",
  "appointmentMinutes",
  "clinicPhone",
  "ratingAverage",
  "ratingCount",
  "nameKey",
]);
export const doctorNameColumns = pickColumns(users, ["firstName", "lastName"]);

export interface DoctorRow {
  doctor: Pick<Doctor, keyof typeof doctorDtoColumns>;
  user: Pick<User, "firstName" | "lastName">;
}

/** The specialties of a page's doctors, by name: the last statement of every doctor read. */
export function doctorSpecialtiesQuery(db: Executor, doctorIds: string[]) {
  return db
    .select({ doctorId: doctorSpecialties.doctorId, id: specialties.id, name: specialties.name })
    .from(doctorSpecialties)
    .innerJoin(specialties, eq(specialties.id, doctorSpecialties.specialtyId))
    .where(inArray(doctorSpecialties.doctorId, doctorIds))
    .orderBy(asc(specialties.name));
}

/** DTOs for rows of one page, with their specialties read in one query. */
export async function toDoctorDtos(db: Executor, rows: DoctorRow[]): Promise<DoctorDto[]> {
  const ids = rows.map((row) => row.doctor.id);
  const links = ids.length ? await doctorSpecialtiesQuery(db, ids) : [];
  return rows.map(({ doctor, user }) => ({
    id: doctor.id,
    firstName: user.firstName,
    lastName: user.lastName,
    bio: doctor.bio,
    yearsOfExperience: doctor.yearsOfExperience,
    clinicName: doctor.clinicName,
    clinicAddress: doctor.clinicAddress,
    city: doctor.city,
    country: doctor.country,
    fee: { amountMinor: doctor.feeAmountMinor, currency: doctor.feeCurrency },
    languages: doctor.languages,
    timezone: doctor.timezone,
    appointmentMinutes: doctor.appointmentMinutes,
    clinicPhone: doctor.clinicPhone,
    specialties: links.filter((link) => link.doctorId === doctor.id).map(({ id, name }) => ({ id, name })),
    rating: { average: doctor.ratingAverage, count: doctor.ratingCount },
  }));
}
