import { randomUUID } from "node:crypto";
import type { Database } from "@medical/db";
import { type NewPatient, type NewUser, type Patient, patients, type User, users } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import {
  type ClinicalChanges,
  EMPTY_CLINICAL,
  mergeClinical,
  sealClinical,
} from "#domains/patients/clinical.ts";
import type { FieldCipher } from "#platform/crypto/field-cipher.ts";
import { makeUser } from "./users.ts";

export interface MakePatientOverrides extends Partial<NewPatient> {
  /** For the PATIENT account created when `userId` is not given. */
  user?: Partial<NewUser>;
  /** Clinical fields, encrypted with `cipher` under the new row's id as the service does. */
  clinical?: { cipher: FieldCipher; data: ClinicalChanges };
}

/** A PATIENT account (unless `userId` names one) with an active profile in Alger; overrides win. */
export async function makePatient(
  db: Database,
  overrides: MakePatientOverrides = {},
): Promise<{ patient: Patient; user: User }> {
  const { user: userOverrides, clinical, ...patientOverrides } = overrides;
  const user = patientOverrides.userId
    ? await findUser(db, patientOverrides.userId)
    : await makeUser(db, { role: "PATIENT", firstName: "Amina", ...userOverrides });
  const id = patientOverrides.id ?? randomUUID();
  const [patient] = await db
    .insert(patients)
    .values({
      id,
      userId: user.id,
      dateOfBirth: "1990-04-12",
      sex: "FEMALE",
      city: "Alger",
      clinicalData: clinical
        ? sealClinical(clinical.cipher, id, mergeClinical(EMPTY_CLINICAL, clinical.data))
        : null,
      ...patientOverrides,
    })
    .returning();
  if (!patient) throw new Error("makePatient inserted nothing");
  return { patient, user };
}

async function findUser(db: Database, id: string): Promise<User> {
  const [user] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  if (!user) throw new Error(`makePatient: no user ${id}`);
  return user;
}

/** The user id of the patient profile `patientId`: who booked, was billed or claimed by default. */
export async function accountOfPatient(db: Database, patientId: string): Promise<string> {
  const [row] = await db
    .select({ userId: patients.userId })
    .from(patients)
    .where(eq(patients.id, patientId))
    .limit(1);
  if (!row) throw new Error(`no patient ${patientId}`);
  return row.userId;
}
