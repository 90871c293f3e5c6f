import { doctors } from "@medical/db/schema";
import { and, eq } from "drizzle-orm";
import { DOCTOR_NOT_FOUND, publicDoctorVisible } from "#domains/doctors/public.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";

/** What availability reads need of a doctor the public sees: NOT_FOUND for any other. */
export async function requirePublicDoctor(
  deps: Pick<Deps, "db">,
  doctorId: string,
): Promise<{ id: string; timezone: string }> {
  const [doctor] = await deps.db
    .select({ id: doctors.id, timezone: doctors.timezone })
    .from(doctors)
    .where(and(eq(doctors.id, doctorId), publicDoctorVisible()))
    .limit(1);
  if (!doctor) throw new DomainError("NOT_FOUND", DOCTOR_NOT_FOUND);
  return doctor;
}
