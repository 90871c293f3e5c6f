import { auditEvents, patients } from "@medical/db/schema";
import { eq, type SQL, sql } from "drizzle-orm";
import type { Actor } from "#platform/auth/actor.ts";

/**
 * Audit events the actor may read: the whole trail for ADMIN, nothing for anyone else (the
 * router already refuses them; the list ANDs this in as well, so a new caller fails closed).
 */
export function auditEventVisibleTo(actor: Pick<Actor, "role">): SQL {
  switch (actor.role) {
    case "ADMIN":
      return sql`true`;
    case "DOCTOR":
    case "PATIENT":
    case "STAFF":
      return sql`false`;
  }
}

/**
 * The events of the access log (`GET /patients/me/access-log`): those about the caller's own
 * patient profile, for a PATIENT; nothing for any other role (ADMIN reads the whole trail through
 * `/admin/audit` instead). The owner is a scalar subquery on a unique column, so the list keeps
 * walking `audit_events_patient_time`. Security-sensitive: changes come with a cross-tenant case.
 */
export function accessLogVisibleTo(actor: Pick<Actor, "userId" | "role">): SQL {
  switch (actor.role) {
    case "PATIENT":
      return sql`${auditEvents.patientId} = (select ${patients.id} from ${patients} where ${eq(patients.userId, actor.userId)})`;
    case "ADMIN":
    case "DOCTOR":
    case "STAFF":
      return sql`false`;
  }
}
