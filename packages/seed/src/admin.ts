import { randomBytes } from "node:crypto";
import type { PasswordHasher } from "@medical/api";
import type { Database } from "@medical/db";
import { auditEvents, type Role, users } from "@medical/db/schema";
import { eq, sql } from "drizzle-orm";

export interface EnsureAdminInput {
  email: string;
  /** Omitted → a strong password is generated and returned once. */
  password?: string;
  firstName: string;
  lastName: string;
  /** Which command made the account, recorded in the audit event's details. */
  via: "cli" | "seed";
}

export interface AccountSummary {
  id: string;
  email: string;
  role: Role;
  isActive: boolean;
}

export type EnsureAdminResult =
  | { created: true; user: AccountSummary; generatedPassword?: string }
  /** The email already had an account, of whatever role; nothing was changed. */
  | { created: false; user: AccountSummary };

/** The reference system's demo login (development only), so its walkthroughs work on seeded data. */
export const DEMO_ADMIN = { email: "admin@demo.clinic.dz", password: "Algeria123!" } as const;

/** Same rule as the API's identity services: emails are compared trimmed and lower-cased. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** 18 random bytes → 24 base64url characters (144 bits), inside the 8–128 password limits. */
export const generatePassword = () => randomBytes(18).toString("base64url");

const accountColumns = { id: users.id, email: users.email, role: users.role, isActive: users.isActive };

async function findByEmail(db: Database, email: string): Promise<AccountSummary | undefined> {
  const [user] = await db
    .select(accountColumns)
    .from(users)
    // lower(email) is what the unique index covers, so a row stored before normalisation still matches.
    .where(eq(sql`lower(${users.email})`, email))
    .limit(1);
  return user;
}

/**
 * Makes an active, email-verified ADMIN unless the email already has an account. An existing
 * account is never changed — not its password, role or active flag — so running the command
 * again cannot take over or reset anyone. Writes one `user.created` audit event with the row.
 */
export async function ensureAdmin(
  db: Database,
  hasher: PasswordHasher,
  input: EnsureAdminInput,
): Promise<EnsureAdminResult> {
  const email = normalizeEmail(input.email);
  const existing = await findByEmail(db, email);
  if (existing) return { created: false, user: existing };

  const generated = input.password === undefined;
  const password = input.password ?? generatePassword();
  const passwordHash = await hasher.hash(password);
  const inserted = await db.transaction(async (tx) => {
    // Another process may have taken the email since the lookup: the unique index decides, and
    // the loser reports the winner's account instead of failing.
    const [user] = await tx
      .insert(users)
      .values({
        email,
        passwordHash,
        role: "ADMIN",
        isActive: true,
        emailVerifiedAt: new Date(),
        firstName: input.firstName,
        lastName: input.lastName,
      })
      .onConflictDoNothing()
      .returning(accountColumns);
    if (!user) return undefined;
    await tx.insert(auditEvents).values({
      action: "user.created",
      outcome: "SUCCESS",
      targetType: "user",
      targetId: user.id,
      details: { role: "ADMIN", via: input.via },
    });
    return user;
  });
  if (!inserted) {
    const winner = await findByEmail(db, email);
    if (!winner) throw new Error(`Could not create ${email} and found no account with that email`);
    return { created: false, user: winner };
  }
  return generated
    ? { created: true, user: inserted, generatedPassword: password }
    : { created: true, user: inserted };
}

/** One line describing an account that was already there, for both CLIs. */
export function describeExisting(user: AccountSummary): string {
  const state = user.isActive ? "active" : "inactive";
  return user.role === "ADMIN"
    ? `${user.email} already exists (ADMIN, ${state}); nothing changed.`
    : `${user.email} already belongs to a ${user.role} account (${state}); nothing changed and it is NOT an admin. ` +
        "Choose another email, or change that account's role through the API as an admin.";
}
