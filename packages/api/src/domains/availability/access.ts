import { availabilityExceptions, availabilityRules, doctors } from "@medical/db/schema";
import { type AnyColumn, and, eq, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { DOCTOR_NOT_FOUND, publicDoctorVisible } from "#domains/doctors/public.ts";
import type { Actor } from "#platform/auth/actor.ts";
import { resourceProcedure, resourceProcedureBy, roleProcedure } from "#platform/trpc.ts";
import { ZAvailabilityId, ZExceptionId } from "./availability-dto.ts";

export const RULE_NOT_FOUND = "Availability not found";
export const EXCEPTION_NOT_FOUND = "Availability exception not found";

/**
 * Doctors whose availability an actor manages (a predicate on `doctors`): a DOCTOR their own,
 * ADMIN any. Only doctors the public sees have availability to manage: the hours of a deactivated
 * doctor offer nothing to book, so they are NOT_FOUND for everybody, as the doctor is.
 */
export function availabilityManagedBy(actor: Pick<Actor, "userId" | "role">): SQL {
  switch (actor.role) {
    case "ADMIN":
      return publicDoctorVisible();
    case "DOCTOR":
      return sql`(${eq(doctors.userId, actor.userId)} and ${publicDoctorVisible()})`;
    case "PATIENT":
    case "STAFF":
      return sql`false`;
  }
}

/** Availability rows anyone reads (a predicate on `doctorId`): those of doctors the public sees. */
export function availabilityVisible(doctorId: AnyColumn): SQL {
  return sql`${doctorId} in (select ${doctors.id} from ${doctors} where ${publicDoctorVisible()})`;
}

function ofManagedDoctor(doctorId: AnyColumn, actor: Pick<Actor, "userId" | "role">): SQL {
  return sql`${doctorId} in (select ${doctors.id} from ${doctors} where ${availabilityManagedBy(actor)})`;
}

/** Weekly rules an actor may change. */
export function ruleManagedBy(actor: Pick<Actor, "userId" | "role">): SQL {
  return ofManagedDoctor(availabilityRules.doctorId, actor);
}

/** Exceptions an actor may change. */
export function exceptionManagedBy(actor: Pick<Actor, "userId" | "role">): SQL {
  return ofManagedDoctor(availabilityExceptions.doctorId, actor);
}

/** The keys of the resource procedures below; each procedure's own input repeats them. */
const ZRuleKey = z.object({ availabilityId: ZAvailabilityId });
const ZExceptionKey = z.object({ exceptionId: ZExceptionId });

/** PATIENT and STAFF are refused (403) before any row is read; a doctor reaches their own rows only. */
const managerProcedure = roleProcedure("DOCTOR", "ADMIN");

/** `/doctors/{id}/availability…` writes: the doctor, with what new hours default to, on `ctx.resource`. */
export const managedDoctorResource = resourceProcedure(
  managerProcedure,
  DOCTOR_NOT_FOUND,
  async (ctx, id) => {
    const [row] = await ctx.deps.db
      .select({ id: doctors.id, appointmentMinutes: doctors.appointmentMinutes, timezone: doctors.timezone })
      .from(doctors)
      .where(and(eq(doctors.id, id), availabilityManagedBy(ctx.actor)))
      .limit(1);
    return row;
  },
);

/** `/doctors/availability/{availabilityId}`: the rule's id and doctor on `ctx.resource`. */
export const ruleResource = resourceProcedureBy(
  managerProcedure,
  ZRuleKey,
  (input) => input.availabilityId,
  RULE_NOT_FOUND,
  async (ctx, id) => {
    const [row] = await ctx.deps.db
      .select({ id: availabilityRules.id, doctorId: availabilityRules.doctorId })
      .from(availabilityRules)
      .where(and(eq(availabilityRules.id, id), ruleManagedBy(ctx.actor)))
      .limit(1);
    return row;
  },
);

/** `/doctors/availability/exceptions/{exceptionId}`: the exception's id and doctor on `ctx.resource`. */
export const exceptionResource = resourceProcedureBy(
  managerProcedure,
  ZExceptionKey,
  (input) => input.exceptionId,
  EXCEPTION_NOT_FOUND,
  async (ctx, id) => {
    const [row] = await ctx.deps.db
      .select({ id: availabilityExceptions.id, doctorId: availabilityExceptions.doctorId })
      .from(availabilityExceptions)
      .where(and(eq(availabilityExceptions.id, id), exceptionManagedBy(ctx.actor)))
      .limit(1);
    return row;
  },
);
