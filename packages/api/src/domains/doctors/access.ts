import { doctors, users } from "@medical/db/schema";
import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { adminProcedure, resourceProcedure } from "#platform/trpc.ts";

export const DOCTOR_NOT_FOUND = "Doctor not found";

/**
 * Doctors anyone sees, signed in or not: an active profile of an active account. Every public read
 * (one doctor, the search, a doctor's reviews, favourites) ANDs this in; a deactivated doctor, or
 * one whose account is deactivated, does not exist there. The account check is a scalar subquery
 * (a primary-key look-up per candidate row), not EXISTS: the planner would turn EXISTS into a
 * join and then pass over the search's own indexes (search-indexes.int.test.ts).
 */
export function publicDoctorVisible(): SQL {
  return sql`(${eq(doctors.isActive, true)} and (select ${users.isActive} from ${users} where ${users.id} = ${doctors.userId}))`;
}

/**
 * Doctor profiles an actor may see: admins every one (deactivated ones too, to edit them), a
 * doctor also their own, everybody else what the public sees.
 */
export function doctorVisibleTo(actor: Actor): SQL {
  switch (actor.role) {
    case "ADMIN":
      return sql`true`;
    case "DOCTOR":
      return sql`(${eq(doctors.userId, actor.userId)} or ${publicDoctorVisible()})`;
    case "PATIENT":
    case "STAFF":
      return publicDoctorVisible();
  }
}

/** `/doctors/{id}` changes (admin): the profile, deactivated or not, on `ctx.resource`. */
export const doctorResource = resourceProcedure(adminProcedure, DOCTOR_NOT_FOUND, async (ctx, id) => {
  const [row] = await ctx.deps.db
    .select({ id: doctors.id })
    .from(doctors)
    .where(and(eq(doctors.id, id), doctorVisibleTo(ctx.actor)))
    .limit(1);
  return row;
});

/** For reads and writes about a doctor the public must see (reviews, favourites): NOT_FOUND otherwise. */
export async function requireActiveDoctor(deps: Pick<Deps, "db">, doctorId: string): Promise<void> {
  const [doctor] = await deps.db
    .select({ id: doctors.id })
    .from(doctors)
    .where(and(eq(doctors.id, doctorId), publicDoctorVisible()))
    .limit(1);
  if (!doctor) throw new DomainError("NOT_FOUND", DOCTOR_NOT_FOUND);
}
