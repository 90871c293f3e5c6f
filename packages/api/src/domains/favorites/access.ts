import { favorites, patients } from "@medical/db/schema";
import { type SQL, sql } from "drizzle-orm";
import type { Actor } from "#platform/auth/actor.ts";

/**
 * Favourites are the patient's own: nobody else lists or changes them, staff and admins
 * included (which doctors a patient follows says something about their health).
 */
export function favoriteVisibleTo(actor: Actor): SQL {
  switch (actor.role) {
    case "PATIENT":
      return sql`${favorites.patientId} in (select ${patients.id} from ${patients} where ${patients.userId} = ${actor.userId})`;
    case "ADMIN":
    case "DOCTOR":
    case "STAFF":
      return sql`false`;
  }
}
