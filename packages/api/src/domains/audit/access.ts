import { type SQL, sql } from "drizzle-orm";
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
