import type { Executor, Transaction } from "@medical/db";
import { doctorSpecialties, doctors, specialties, users } from "@medical/db/schema";
import { and, eq, inArray, type SQL } from "drizzle-orm";
import { createUser } from "#domains/identity/users.service.ts";
import type { AuditMeta } from "#platform/audit/audit.ts";
import { recordAudit } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import type { Money } from "#platform/fields/money.ts";
import { type DoctorDto, doctorDtoColumns, doctorNameColumns, toDoctorDtos } from "./doctor-dto.ts";

export interface DoctorProfileInput {
  bio?: string | null;
  yearsOfExperience?: number;
  clinicName?: string | null;
  clinicAddress?: string | null;
  city?: string;
  country?: string;
  fee?: Money;
  languages?: string[];
  timezone?: string;
  appointmentMinutes?: number;
  clinicPhone?: string | null;
  specialtyIds?: string[];
}
export type NewDoctorProfileInput = DoctorProfileInput & { city: string; fee: Money; specialtyIds: string[] };

function columns({ fee, specialtyIds: _ids, ...rest }: DoctorProfileInput) {
  return { ...rest, ...(fee ? { feeAmountMinor: fee.amountMinor, feeCurrency: fee.currency } : {}) };
}

/** Replaces a doctor's specialties; every id must exist. */
async function setSpecialties(tx: Executor, doctorId: string, specialtyIds: string[]): Promise<void> {
  const unique = [...new Set(specialtyIds)];
  const known = await tx
    .select({ id: specialties.id })
    .from(specialties)
    .where(inArray(specialties.id, unique));
  if (known.length !== unique.length)
    throw new DomainError("VALIDATION_FAILED", "Invalid input: specialtyIds: unknown specialty");
  await tx.delete(doctorSpecialties).where(eq(doctorSpecialties.doctorId, doctorId));
  await tx.insert(doctorSpecialties).values(unique.map((specialtyId) => ({ doctorId, specialtyId })));
}

async function loadDoctor(db: Executor, where: SQL): Promise<DoctorDto | undefined> {
  const rows = await db
    .select({ doctor: doctorDtoColumns, user: doctorNameColumns })
    .from(doctors)
    .innerJoin(users, eq(users.id, doctors.userId))
    .where(where)
    .limit(1);
  const [dto] = await toDoctorDtos(db, rows);
  return dto;
}

async function insertProfile(tx: Transaction, userId: string, input: NewDoctorProfileInput): Promise<string> {
  const [doctor] = await tx
    .insert(doctors)
    .values({
      ...columns(input),
      userId,
      city: input.city,
      feeAmountMinor: input.fee.amountMinor,
      feeCurrency: input.fee.currency,
    })
    .returning({ id: doctors.id });
  if (!doctor) throw new Error("insert returned no row");
  await setSpecialties(tx, doctor.id, input.specialtyIds);
  return doctor.id;
}

/** The doctor's own profile: 404 until it exists. */
export async function getMyDoctorProfile(deps: Pick<Deps, "db">, actor: Actor): Promise<DoctorDto> {
  const dto = await loadDoctor(deps.db, eq(doctors.userId, actor.userId));
  if (!dto) throw new DomainError("NOT_FOUND", "Create your doctor profile first");
  return dto;
}

/** A profile for an account that has none (409 when it already has one), audited, in one transaction. */
async function createProfileFor(
  deps: Deps,
  audit: AuditMeta,
  userId: string,
  input: NewDoctorProfileInput,
  conflict: string,
): Promise<DoctorDto> {
  const existing = await deps.db
    .select({ id: doctors.id })
    .from(doctors)
    .where(eq(doctors.userId, userId))
    .limit(1);
  if (existing.length) throw new DomainError("CONFLICT", conflict);
  const id = await deps.db.transaction(async (tx) => {
    const doctorId = await insertProfile(tx, userId, input);
    await recordAudit(tx, audit, {
      action: "doctor.profile_created",
      outcome: "SUCCESS",
      targetType: "doctor",
      targetId: doctorId,
    });
    return doctorId;
  });
  return getDoctorForAdmin(deps, id);
}

export function createMyDoctorProfile(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  input: NewDoctorProfileInput,
) {
  return createProfileFor(deps, audit, actor.userId, input, "You already have a doctor profile");
}

async function updateProfile(
  deps: Deps,
  audit: AuditMeta,
  where: SQL,
  input: DoctorProfileInput,
): Promise<DoctorDto> {
  const id = await deps.db.transaction(async (tx) => {
    const [doctor] = await tx
      .update(doctors)
      .set({ ...columns(input), updatedAt: deps.clock.now() })
      .where(where)
      .returning({ id: doctors.id });
    if (!doctor) throw new DomainError("NOT_FOUND", "Doctor not found");
    if (input.specialtyIds) await setSpecialties(tx, doctor.id, input.specialtyIds);
    await recordAudit(tx, audit, {
      action: "doctor.profile_updated",
      outcome: "SUCCESS",
      targetType: "doctor",
      targetId: doctor.id,
      details: { fields: Object.keys(input).join(",") },
    });
    return doctor.id;
  });
  return getDoctorForAdmin(deps, id);
}

export function updateMyDoctorProfile(deps: Deps, audit: AuditMeta, actor: Actor, input: DoctorProfileInput) {
  return updateProfile(deps, audit, eq(doctors.userId, actor.userId), input);
}

export function updateDoctor(deps: Deps, audit: AuditMeta, id: string, input: DoctorProfileInput) {
  return updateProfile(deps, audit, eq(doctors.id, id), input);
}

/** Public read: deactivated doctors do not exist for the public. */
export async function getPublicDoctor(deps: Pick<Deps, "db">, id: string): Promise<DoctorDto> {
  const dto = await loadDoctor(
    deps.db,
    and(eq(doctors.id, id), eq(doctors.isActive, true)) ?? eq(doctors.id, id),
  );
  if (!dto) throw new DomainError("NOT_FOUND", "Doctor not found");
  return dto;
}

async function getDoctorForAdmin(deps: Pick<Deps, "db">, id: string): Promise<DoctorDto> {
  const dto = await loadDoctor(deps.db, eq(doctors.id, id));
  if (!dto) throw new DomainError("NOT_FOUND", "Doctor not found");
  return dto;
}

export type AdminCreateDoctorInput = NewDoctorProfileInput &
  (
    | { userId: string }
    | { email: string; firstName: string; lastName: string; phone?: string; locale?: string }
  );

/**
 * ADMIN: a profile for an existing DOCTOR account without one, or a new invited DOCTOR account
 * with its profile, in one transaction.
 */
export async function createDoctor(
  deps: Deps,
  audit: AuditMeta,
  input: AdminCreateDoctorInput,
): Promise<DoctorDto> {
  if ("userId" in input) {
    const { userId, ...profile } = input;
    const [account] = await deps.db
      .select({ role: users.role })
      .from(users)
      .where(eq(users.id, userId))
      .limit(1);
    if (account?.role !== "DOCTOR")
      throw new DomainError("VALIDATION_FAILED", "Invalid input: userId: not a DOCTOR account");
    return createProfileFor(deps, audit, userId, profile, "This account already has a doctor profile");
  }
  const { email, firstName, lastName, phone, locale, ...profile } = input;
  let doctorId = "";
  await createUser(
    deps,
    audit,
    { email, firstName, lastName, phone, locale, role: "DOCTOR" },
    async (tx, user) => {
      doctorId = await insertProfile(tx, user.id, profile);
    },
  );
  return getDoctorForAdmin(deps, doctorId);
}

/** DELETE deactivates the profile: hidden from search and reads; the account stays. */
export async function deactivateDoctor(deps: Deps, audit: AuditMeta, id: string): Promise<void> {
  const [doctor] = await deps.db
    .update(doctors)
    .set({ isActive: false, updatedAt: deps.clock.now() })
    .where(eq(doctors.id, id))
    .returning({ id: doctors.id });
  if (!doctor) throw new DomainError("NOT_FOUND", "Doctor not found");
  await recordAudit(deps.db, audit, {
    action: "doctor.deactivated",
    outcome: "SUCCESS",
    targetType: "doctor",
    targetId: id,
  });
}
