import type { Database } from "@medical/db";
import {
  type Doctor,
  doctorSpecialties,
  doctors,
  type NewDoctor,
  type Specialty,
  specialties,
  type User,
} from "@medical/db/schema";
import { makeUser } from "./users.ts";

let sequence = 0;

export async function makeSpecialty(db: Database, name?: string): Promise<Specialty> {
  sequence += 1;
  const [row] = await db
    .insert(specialties)
    .values({ name: name ?? `Spécialité ${Date.now().toString(36)}-${sequence}` })
    .returning();
  if (!row) throw new Error("makeSpecialty inserted nothing");
  return row;
}

/** A DOCTOR account with an active profile in Alger; overrides win. */
export async function makeDoctor(
  db: Database,
  overrides: Partial<NewDoctor> & { user?: Partial<User>; specialtyIds?: string[] } = {},
): Promise<{ doctor: Doctor; user: User }> {
  const { user: userOverrides, specialtyIds = [], ...doctorOverrides } = overrides;
  const user = await makeUser(db, { role: "DOCTOR", firstName: "Karim", ...userOverrides });
  const [doctor] = await db
    .insert(doctors)
    .values({
      userId: user.id,
      city: "Alger",
      feeAmountMinor: 200_000,
      yearsOfExperience: 5,
      languages: ["fr", "ar"],
      ...doctorOverrides,
    })
    .returning();
  if (!doctor) throw new Error("makeDoctor inserted nothing");
  if (specialtyIds.length)
    await db
      .insert(doctorSpecialties)
      .values(specialtyIds.map((specialtyId) => ({ doctorId: doctor.id, specialtyId })));
  return { doctor, user };
}
