import type { Role } from "./roles.ts";

/** The authenticated caller, with the role and session as the database has them now. */
export interface Actor {
  userId: string;
  sessionId: string;
  role: Role;
  /** When the access token used for this call expires. */
  accessExpiresAt: Date;
}
