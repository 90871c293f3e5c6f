import { sql } from "drizzle-orm";
import { index, pgTable } from "drizzle-orm/pg-core";
import { id, ref, timestamptz } from "./columns.ts";
import { users } from "./users.ts";

export const SEXES = ["FEMALE", "MALE", "OTHER", "UNKNOWN"] as const;
export type Sex = (typeof SEXES)[number];

/**
 * One profile per PATIENT account; names and contact live on `users`. Clinical fields (blood
 * type, allergies, chronic conditions, current medications) are one AES-256-GCM encrypted
 * document in `clinical_data`, bound to this table, column and row (see api/src/crypto).
 */
export const patients = pgTable(
  "patients",
  (t) => ({
    id: id(),
    userId: ref(() => users.id).unique(),
    dateOfBirth: t.date({ mode: "string" }).notNull(),
    sex: t.varchar({ length: 10 }).notNull().default("UNKNOWN").$type<Sex>(),
    addressLine: t.varchar({ length: 200 }),
    city: t.varchar({ length: 100 }),
    /** ISO 3166-1 alpha-2 */
    country: t.char({ length: 2 }).notNull().default("DZ"),
    emergencyContactName: t.varchar({ length: 200 }),
    emergencyContactRelation: t.varchar({ length: 50 }),
    emergencyContactPhone: t.varchar({ length: 16 }),
    clinicalData: t.text(),
    /** The patient's choice: reviews show "Amina B." instead of "Verified patient". */
    showNameOnReviews: t.boolean().notNull().default(false),
    isActive: t.boolean().notNull().default(true),
    createdAt: timestamptz().notNull().defaultNow(),
    updatedAt: timestamptz().notNull().defaultNow(),
  }),
  (t) => [
    index("patients_created_id").on(t.createdAt, t.id),
    index("patients_active").on(t.isActive).where(sql`${t.isActive}`),
  ],
);

export type Patient = typeof patients.$inferSelect;
export type NewPatient = typeof patients.$inferInsert;
