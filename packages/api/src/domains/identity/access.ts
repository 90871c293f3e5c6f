import type { Database, Executor } from "@medical/db";
import { type User, users } from "@medical/db/schema";
import { and, eq, type Placeholder, type SQL, sql } from "drizzle-orm";
import type { Actor } from "#platform/auth/actor.ts";
import type { Role } from "#platform/auth/roles.ts";
import { preparedPerDatabase } from "#platform/prepared.ts";
import { adminProcedure, resourceProcedure } from "#platform/trpc.ts";
import { normalizeEmail } from "./normalize.ts";
import { type UserDtoRow, userDtoColumns } from "./user-dto.ts";

/**
 * Accounts the actor may see: ADMIN every one, anyone else their own. Every users query of a
 * signed-in caller MUST include this predicate; a row outside it answers NOT_FOUND.
 * Security-sensitive: every change comes with a row in access.cases.ts.
 */
export function userVisibleTo(actor: { role: Role; userId: string | Placeholder }): SQL {
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

/** The caller's own account through the predicate: one statement per role, prepared once. */
const ownAccountOf = (role: Role) =>
  preparedPerDatabase((db) =>
    db
      .select(userDtoColumns)
      .from(users)
      .where(and(eq(users.id, sql.placeholder("id")), userVisibleTo({ role, userId: sql.placeholder("id") })))
      .limit(1)
      .prepare(`own_account_${role.toLowerCase()}`),
  );
const ownAccount: Record<Role, ReturnType<typeof ownAccountOf>> = {
  ADMIN: ownAccountOf("ADMIN"),
  DOCTOR: ownAccountOf("DOCTOR"),
  PATIENT: ownAccountOf("PATIENT"),
  STAFF: ownAccountOf("STAFF"),
};

/** GET /users/me: the account of the signed-in caller, on every page load of a front end. */
export async function findOwnAccount(
  db: Database,
  actor: Pick<Actor, "userId" | "role">,
): Promise<UserDtoRow | undefined> {
  const [user] = await ownAccount[actor.role](db).execute({ id: actor.userId });
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
