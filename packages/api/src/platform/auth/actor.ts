import type { Placeholder } from "drizzle-orm";
import type { Role } from "./roles.ts";

/** The authenticated caller, with the role and session as the database has them now. */
export interface Actor {
  userId: string;
  sessionId: string;
  role: Role;
  /** When the access token used for this call expires. */
  accessExpiresAt: Date;
}

/**
 * Whom an access predicate is about: the caller, or in a prepared statement a placeholder for the
 * caller's user id (the role decides the predicate's text, so it is never one).
 */
export interface ActorRef {
  userId: string | Placeholder;
  role: Role;
}
