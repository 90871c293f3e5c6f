import { sql } from "drizzle-orm";
import { check, index, pgTable, primaryKey, uniqueIndex } from "drizzle-orm/pg-core";
import { id, ref, timestamptz } from "./columns.ts";
import { patients } from "./patients.ts";
import { users } from "./users.ts";

/** Names are unique after lower-casing and removing accents: "Medecine interne" = "Médecine interne". */
export const specialties = pgTable(
  "specialties",
  (t) => ({
    id: id(),
    name: t.varchar({ length: 100 }).notNull(),
    description: t.varchar({ length: 500 }),
    nameKey: t.text().generatedAlwaysAs((): ReturnType<typeof sql> => sql`f_search_key(${specialties.name})`),
    createdAt: timestamptz().notNull().defaultNow(),
  }),
  (t) => [
    uniqueIndex("specialties_name_key").on(t.nameKey),
    index("specialties_name_key_trgm").using("gin", sql`${t.nameKey} gin_trgm_ops`),
  ],
);

/**
 * One profile per DOCTOR account. Names live on `users`, so `search_key` (names + clinic) and
 * `name_key` (sort by name) are kept by triggers (drizzle/0004) in the same transaction as any
 * change of them: a generated column cannot read another table. ADR 0007 explains the indexes.
 */
export const doctors = pgTable(
  "doctors",
  (t) => ({
    id: id(),
    userId: ref(() => users.id).unique(),
    bio: t.varchar({ length: 2000 }),
    yearsOfExperience: t.smallint().notNull().default(0),
    clinicName: t.varchar({ length: 200 }),
    clinicAddress: t.varchar({ length: 300 }),
    city: t.varchar({ length: 100 }).notNull(),
    country: t.char({ length: 2 }).notNull().default("DZ"),
    feeAmountMinor: t.integer().notNull(),
    feeCurrency: t.char({ length: 3 }).notNull().default("DZD"),
    /** BCP-47 tags */
    languages: t.varchar({ length: 35 }).array().notNull().default(sql`'{}'::varchar[]`),
    /** IANA zone of the doctor's wall-clock availability */
    timezone: t.varchar({ length: 64 }).notNull().default("Africa/Algiers"),
    appointmentMinutes: t.smallint().notNull().default(30),
    /** Booking settings: how long before a slot, and how many days ahead, patients may book it. */
    minNoticeMinutes: t.integer().notNull().default(60),
    bookingHorizonDays: t.smallint().notNull().default(90),
    clinicPhone: t.varchar({ length: 16 }),
    ratingAverage: t.numeric({ precision: 3, scale: 2, mode: "number" }).notNull().default(0),
    ratingCount: t.integer().notNull().default(0),
    searchKey: t.text().notNull().default(""),
    nameKey: t.text().notNull().default(""),
    cityKey: t.text().generatedAlwaysAs((): ReturnType<typeof sql> => sql`f_search_key(${doctors.city})`),
    isActive: t.boolean().notNull().default(true),
    createdAt: timestamptz().notNull().defaultNow(),
    updatedAt: timestamptz().notNull().defaultNow(),
  }),
  (t) => [
    index("doctors_search_key_trgm").using("gin", sql`${t.searchKey} gin_trgm_ops`),
    // drizzle/0005 adds INCLUDE (is_active), which drizzle-kit cannot express.
    index("doctors_city_key").on(t.cityKey, t.id),
    index("doctors_rating").on(t.ratingAverage, t.id),
    index("doctors_name").on(t.nameKey, t.id),
    index("doctors_experience").on(t.yearsOfExperience, t.id),
    index("doctors_fee").on(t.feeAmountMinor, t.id),
    check("doctors_fee_non_negative", sql`${t.feeAmountMinor} >= 0`),
    check("doctors_min_notice", sql`${t.minNoticeMinutes} between 0 and 10080`),
    check("doctors_booking_horizon", sql`${t.bookingHorizonDays} between 1 and 365`),
  ],
);

export const doctorSpecialties = pgTable(
  "doctor_specialties",
  { doctorId: ref(() => doctors.id), specialtyId: ref(() => specialties.id) },
  (t) => [
    primaryKey({ columns: [t.doctorId, t.specialtyId] }),
    index("doctor_specialties_specialty").on(t.specialtyId, t.doctorId),
  ],
);

export const favorites = pgTable(
  "favorites",
  {
    patientId: ref(() => patients.id),
    doctorId: ref(() => doctors.id),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.patientId, t.doctorId] }),
    index("favorites_patient_time").on(t.patientId, t.createdAt, t.doctorId),
  ],
);

/** One review per patient per doctor; moderation hides (never deletes) with a reason. */
export const reviews = pgTable(
  "reviews",
  (t) => ({
    id: id(),
    doctorId: ref(() => doctors.id),
    patientId: ref(() => patients.id),
    rating: t.smallint().notNull(),
    comment: t.varchar({ length: 2000 }),
    createdAt: timestamptz().notNull().defaultNow(),
    updatedAt: timestamptz().notNull().defaultNow(),
    hiddenAt: timestamptz(),
    hiddenReason: t.varchar({ length: 500 }),
    hiddenBy: t.uuid().references(() => users.id),
  }),
  (t) => [
    uniqueIndex("reviews_doctor_patient").on(t.doctorId, t.patientId),
    index("reviews_doctor_time").on(t.doctorId, t.createdAt, t.id),
    index("reviews_time").on(t.createdAt, t.id),
    // A patient's own reviews, oldest first: their section of the patient data export.
    index("reviews_patient_time").on(t.patientId, t.createdAt, t.id),
    check("reviews_rating_range", sql`${t.rating} between 1 and 5`),
  ],
);

export type Specialty = typeof specialties.$inferSelect;
export type Doctor = typeof doctors.$inferSelect;
export type NewDoctor = typeof doctors.$inferInsert;
export type Review = typeof reviews.$inferSelect;
