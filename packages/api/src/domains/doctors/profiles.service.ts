import type { Executor } from "@medical/db";
import { doctorSpecialties, doctors, users } from "@medical/db/schema";
import { and, eq, type SQL } from "drizzle-orm";
import { createProfileWithAccount, type InsertProfile, type ProfileOwner } from "#domains/identity/public.ts";
import { requireSpecialties } from "#domains/specialties/public.ts";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError, invalidField } from "#platform/errors/errors.ts";
import type { Money } from "#platform/fields/money.ts";
import { DOCTOR_NOT_FOUND, doctorVisibleTo, publicDoctorVisible } from "./access.ts";
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
  minNoticeMinutes?: number;
  bookingHorizonDays?: number;
  clinicPhone?: string | null;
  specialtyIds?: string[];
}
export type NewDoctorProfileInput = DoctorProfileInput & { city: string; fee: Money; specialtyIds: string[] };

/** Whose profile an admin creates: `userId`, or an email with names for a new invited account. */
export interface AccountFields {
  userId?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  phone?: string;
  locale?: string;
}

function columns({ fee, specialtyIds: _ids, ...rest }: DoctorProfileInput) {
  return { ...rest, ...(fee ? { feeAmountMinor: fee.amountMinor, feeCurrency: fee.currency } : {}) };
}

/** Replaces a doctor's specialties; every id must exist. */
async function setSpecialties(tx: Executor, doctorId: string, specialtyIds: string[]): Promise<void> {
  await requireSpecialties(tx, specialtyIds);
  await tx.delete(doctorSpecialties).where(eq(doctorSpecialties.doctorId, doctorId));
  await tx
    .insert(doctorSpecialties)
    .values([...new Set(specialtyIds)].map((specialtyId) => ({ doctorId, specialtyId })));
}

/** The doctor `which` names, if `visible` (the caller's visibility predicate) lets it through. */
async function findDoctor(db: Executor, which: SQL, visible: SQL): Promise<DoctorDto | undefined> {
  const rows = await db
    .select({ doctor: doctorDtoColumns, user: doctorNameColumns })
    .from(doctors)
    .innerJoin(users, eq(users.id, doctors.userId))
    .where(and(which, visible))
    .limit(1);
  const [dto] = await toDoctorDtos(db, rows);
  return dto;
}

/** The answer of a write: the profile as its author sees it. */
async function changedDoctor(deps: Pick<Deps, "db">, actor: Actor, id: string): Promise<DoctorDto> {
  const dto = await findDoctor(deps.db, eq(doctors.id, id), doctorVisibleTo(actor));
  if (!dto) throw new Error(`doctor ${id} was written but its author cannot see it`);
  return dto;
}

/** Public read: deactivated doctors do not exist for the public. */
export async function getPublicDoctor(deps: Pick<Deps, "db">, id: string): Promise<DoctorDto> {
  const dto = await findDoctor(deps.db, eq(doctors.id, id), publicDoctorVisible());
  if (!dto) throw new DomainError("NOT_FOUND", DOCTOR_NOT_FOUND);
  return dto;
}

/** The doctor's own profile: 404 until it exists. */
export async function getMyDoctorProfile(deps: Pick<Deps, "db">, actor: Actor): Promise<DoctorDto> {
  const dto = await findDoctor(deps.db, eq(doctors.userId, actor.userId), doctorVisibleTo(actor));
  if (!dto) throw new DomainError("NOT_FOUND", "Create your doctor profile first");
  return dto;
}

/**
 * Writes the profile and its specialties inside the account's transaction (identity's
 * createProfileWithAccount, or the demo seed's account service) and audits its creation.
 */
export function writeDoctorProfile(input: NewDoctorProfileInput): InsertProfile<string> {
  return async (tx, record, user) => {
    const [doctor] = await tx
      .insert(doctors)
      .values({
        ...columns(input),
        userId: user.id,
        city: input.city,
        feeAmountMinor: input.fee.amountMinor,
        feeCurrency: input.fee.currency,
      })
      .returning({ id: doctors.id });
    if (!doctor) throw new Error("insert returned no row");
    await setSpecialties(tx, doctor.id, input.specialtyIds);
    record.audit({
      action: "doctor.profile_created",
      outcome: "SUCCESS",
      targetType: "doctor",
      targetId: doctor.id,
    });
    return doctor.id;
  };
}

/** A DOCTOR's own profile, once: a second one, concurrent ones included, is 409. */
export async function createMyDoctorProfile(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  input: NewDoctorProfileInput,
): Promise<DoctorDto> {
  const id = await createProfileWithAccount(
    deps,
    audit,
    "DOCTOR",
    { userId: actor.userId },
    writeDoctorProfile(input),
    "You already have a doctor profile",
  );
  return changedDoctor(deps, actor, id);
}

function ownerOf({ userId, email, firstName, lastName, phone, locale }: AccountFields): ProfileOwner {
  if (userId !== undefined) return { userId };
  if (email !== undefined && firstName && lastName) return { email, firstName, lastName, phone, locale };
  throw invalidField([], "give userId, or email with firstName and lastName");
}

/**
 * ADMIN: a profile for an existing DOCTOR account without one, or a new invited DOCTOR account
 * with its profile, in one transaction; a duplicate (concurrent ones included) is 409.
 */
export async function createDoctor(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  input: NewDoctorProfileInput & AccountFields,
): Promise<DoctorDto> {
  const { userId, email, firstName, lastName, phone, locale, ...profile } = input;
  const id = await createProfileWithAccount(
    deps,
    audit,
    "DOCTOR",
    ownerOf({ userId, email, firstName, lastName, phone, locale }),
    writeDoctorProfile(profile),
    "This account already has a doctor profile",
  );
  return changedDoctor(deps, actor, id);
}

/** Changes the one profile `which` names among those the actor may see; NOT_FOUND otherwise. */
async function updateProfile(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  which: SQL,
  input: DoctorProfileInput,
): Promise<DoctorDto> {
  const id = await auditedTransaction(deps, audit, async (tx, record) => {
    const [doctor] = await tx
      .update(doctors)
      .set({ ...columns(input), updatedAt: deps.clock.now() })
      .where(and(which, doctorVisibleTo(actor)))
      .returning({ id: doctors.id });
    if (!doctor) throw new DomainError("NOT_FOUND", DOCTOR_NOT_FOUND);
    if (input.specialtyIds) await setSpecialties(tx, doctor.id, input.specialtyIds);
    record.audit({
      action: "doctor.profile_updated",
      outcome: "SUCCESS",
      targetType: "doctor",
      targetId: doctor.id,
      details: { fields: Object.keys(input).join(",") },
    });
    return doctor.id;
  });
  return changedDoctor(deps, actor, id);
}

export function updateMyDoctorProfile(deps: Deps, audit: AuditMeta, actor: Actor, input: DoctorProfileInput) {
  return updateProfile(deps, audit, actor, eq(doctors.userId, actor.userId), input);
}

/** ADMIN: `id` is the row the resource procedure loaded. */
export function updateDoctor(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  id: string,
  input: DoctorProfileInput,
) {
  return updateProfile(deps, audit, actor, eq(doctors.id, id), input);
}

/** DELETE deactivates the profile: hidden from search and public reads; the account stays. */
export function deactivateDoctor(deps: Deps, audit: AuditMeta, id: string): Promise<void> {
  return auditedTransaction(deps, audit, async (tx, record) => {
    await tx.update(doctors).set({ isActive: false, updatedAt: deps.clock.now() }).where(eq(doctors.id, id));
    record.audit({ action: "doctor.deactivated", outcome: "SUCCESS", targetType: "doctor", targetId: id });
  });
}
