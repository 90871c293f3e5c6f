import type { Executor } from "@medical/db";
import { type User, users } from "@medical/db/schema";
import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Actor } from "#platform/auth/actor.ts";
import { adminProcedure, resourceProcedure } from "#platform/trpc.ts";
import { normalizeEmail } from "./normalize.ts";

/**
 * Accounts the actor may see: ADMIN every one, anyone else their own. Every users query of a
 * signed-in caller MUST include this predicate; a row outside it answers NOT_FOUND.
 * Security-sensitive: every change comes with a row in access.cases.ts.
 */
export function userVisibleTo(actor: Pick<Actor, "userId" | "role">): SQL {
  switch (actor.role) {
    case "ADMIN":
      return sql`true`;
    case "DOCTOR":
    case "PATIENT":
    case "STAFF":
      return eq(users.id, actor.userId);
  }
}

/** One account through the predicate; `lock` takes its row lock for the rest of the transaction. */
export async function findVisibleUser(
  db: Executor,
  actor: Pick<Actor, "userId" | "role">,
  id: string,
  options: { lock?: boolean } = {},
): Promise<User | undefined> {
  const query = db
    .select()
    .from(users)
    .where(and(eq(users.id, id), userVisibleTo(actor)))
    .limit(1);
  const [user] = options.lock ? await query.for("update") : await query;
  return user;
}

/** GET, PATCH and DELETE /users/{id}: the account on `ctx.resource`. */
export const userResource = resourceProcedure(adminProcedure, "User not found", (ctx, id) =>
  findVisibleUser(ctx.deps.db, ctx.actor, id),
);

/**
 * An account by email, compared as the unique index compares them. Unsafe: it runs before anyone
 * is signed in (login, forgot, the operator tools), so the password, the mail or the operator's
 * shell is the access check.
 */
export async function unsafeFindUserByEmail(db: Executor, email: string): Promise<User | undefined> {
  const [user] = await db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, normalizeEmail(email)))
    .limit(1);
  return user;
}

/**
 * An account by id, locked. Unsafe: the profile domains (patients, doctors) decide who may attach
 * a profile to an account; this only lets them check its role under a lock.
 */
export async function unsafeLockUser(db: Executor, id: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.id, id)).for("update").limit(1);
  return user;
}

/**
 * The active admins, locked in id order (every locker takes them in the same order, so lockers
 * queue instead of deadlocking). Unsafe: the last-admin rule counts every admin, whoever asks.
 */
export function unsafeLockActiveAdmins(db: Executor): Promise<{ id: string }[]> {
  return db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, "ADMIN"), eq(users.isActive, true)))
    .orderBy(users.id)
    .for("update");
}
