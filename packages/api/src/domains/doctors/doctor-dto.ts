import { type Executor, pickColumns } from "@medical/db";
import { type Doctor, doctorSpecialties, doctors, specialties, type User, users } from "@medical/db/schema";
import { asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { ZSpecialtyDto } from "#domains/specialties/public.ts";
import { INT4_MAX } from "#platform/fields/fields.ts";
import { ZMoneyDto } from "#platform/fields/money.ts";
import { named } from "#platform/named.ts";

/** The bounds a profile's numbers are written with (profiles.schema.ts), and read back. */
export const ZYearsOfExperience = z.number().int().min(0).max(70);
export const ZAppointmentMinutes = z.number().int().min(5).max(240);
/** Booking settings: at most a week of notice, at most a year ahead. */
export const ZMinNoticeMinutes = z.number().int().min(0).max(10_080).meta({
  description: "Patients book at least this many minutes before a slot starts (0 to 10080, a week)",
});
export const ZBookingHorizonDays = z
  .number()
  .int()
  .min(1)
  .max(365)
  .meta({ description: "Patients book at most this many days ahead (1 to 365)" });

const ZDoctor = z.object({
  id: z.uuid(),
  firstName: z.string(),
  lastName: z.string(),
  bio: z.string().nullable(),
  yearsOfExperience: ZYearsOfExperience,
  clinicName: z.string().nullable(),
  clinicAddress: z.string().nullable(),
  city: z.string(),
  country: z.string().meta({ description: "ISO 3166-1 alpha-2" }),
  fee: ZMoneyDto,
  languages: z.array(z.string()).meta({ description: "BCP-47 language tags" }),
  timezone: z.string().meta({ description: "IANA time zone" }),
  appointmentMinutes: ZAppointmentMinutes,
  minNoticeMinutes: ZMinNoticeMinutes,
  bookingHorizonDays: ZBookingHorizonDays,
  clinicPhone: z.string().nullable(),
  specialties: z.array(
    ZSpecialtyDto.pick({ id: true, name: true }).meta({
      id: "SpecialtySummary",
      description: "A specialty as a doctor carries it",
    }),
  ),
  rating: z
    .object({
      average: z.number().min(0).max(5).meta({ description: "0 while the doctor has no visible review" }),
      count: z.number().int().min(0).max(INT4_MAX).meta({ description: "Visible reviews" }),
    })
    .meta({ id: "Rating", description: "The average of the doctor's visible reviews" }),
});
export type DoctorDto = z.infer<typeof ZDoctor>;

/** The document's example doctor, which the page examples carry too. */
export const doctorExample: DoctorDto = {
  id: "5b2f1c9e-8a4d-4e6b-9f3a-2c7d1e8b4a60",
  firstName: "Amina",
  lastName: "Benali",
  bio: "Cardiologue à Alger depuis 2014.",
  yearsOfExperience: 12,
  clinicName: "Clinique El Azhar",
  clinicAddress: "12, rue Didouche Mourad, Alger",
  city: "Alger",
  country: "DZ",
  fee: { amountMinor: 300_000, currency: "DZD" },
  languages: ["ar", "fr"],
  timezone: "Africa/Algiers",
  appointmentMinutes: 30,
  minNoticeMinutes: 60,
  bookingHorizonDays: 90,
  clinicPhone: "+21321234567",
  specialties: [{ id: "8c3e5a71-2b4f-4d9a-a6e8-0f1b7c2d5e93", name: "Cardiologie" }],
  rating: { average: 4.6, count: 38 },
};

/** The public face of a doctor: never the account's email or personal phone. */
export const ZDoctorDto = named(ZDoctor, "Doctor", {
  description: "A doctor's public profile: never the account's email or personal phone",
  example: doctorExample,
});

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
  "minNoticeMinutes",
  "bookingHorizonDays",
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
    minNoticeMinutes: doctor.minNoticeMinutes,
    bookingHorizonDays: doctor.bookingHorizonDays,
    clinicPhone: doctor.clinicPhone,
    specialties: links.filter((link) => link.doctorId === doctor.id).map(({ id, name }) => ({ id, name })),
    rating: { average: doctor.ratingAverage, count: doctor.ratingCount },
  }));
}
