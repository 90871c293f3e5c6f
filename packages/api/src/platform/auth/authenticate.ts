import { sessions, users } from "@medical/db/schema";
import { and, eq, sql } from "drizzle-orm";
import type { Deps } from "../deps.ts";
import { DomainError } from "../errors/errors.ts";
import { preparedPerDatabase } from "../prepared.ts";
import type { Actor } from "./actor.ts";

/** The session and its user, at every authenticated request. */
const sessionCheck = preparedPerDatabase((db) =>
  db
    .select({ revokedAt: sessions.revokedAt, role: users.role, isActive: users.isActive })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sql.placeholder("sessionId")), eq(sessions.userId, sql.placeholder("userId"))))
    .limit(1)
    .prepare("session_check"),
);

/**
 * Turns an access token into the caller: a valid signature and expiry, then one indexed look-up
 * of the session and its user, so logout, deactivation and role changes take effect at once.
 */
export async function authenticate(
  deps: Pick<Deps, "db" | "accessTokens" | "clock">,
  token: string | null,
): Promise<Actor> {
  if (!token) throw new DomainError("UNAUTHENTICATED");
  const verified = await deps.accessTokens.verify(token);
  if (!verified.ok) {
    throw verified.reason === "expired"
      ? new DomainError("TOKEN_EXPIRED")
      : new DomainError("UNAUTHENTICATED", "Invalid access token");
  }
  return sessionActor(deps, { ...verified.claims, accessExpiresAt: verified.expiresAt });
}

/**
 * The caller of a session already vouched for (an access token's claims, a real-time ticket):
 * throws UNAUTHENTICATED unless the session is live and its user active, with their current role.
 */
export async function sessionActor(
  deps: Pick<Deps, "db">,
  { userId, sessionId, accessExpiresAt }: Omit<Actor, "role">,
): Promise<Actor> {
  const [row] = await sessionCheck(deps.db).execute({ sessionId, userId });
  if (!row || row.revokedAt || !row.isActive) {
    throw new DomainError("UNAUTHENTICATED", "The session has ended; sign in again");
  }
  return { userId, sessionId, role: row.role, accessExpiresAt };
}
