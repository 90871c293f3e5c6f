import { randomBytes } from "node:crypto";
import { type AuditMeta, ensureAccount, type Role } from "@medical/api";
import type { OperatorDeps } from "./operator.ts";

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

/** 18 random bytes → 24 base64url characters (144 bits), inside the 8–128 password limits. */
export const generatePassword = () => randomBytes(18).toString("base64url");

/**
 * Makes an active, email-verified ADMIN unless the email already has an account, through the
 * API's account service: an existing account is never changed, so running the command again
 * cannot take over or reset anyone; a new one gets one `user.created` audit event.
 */
export async function ensureAdmin(
  deps: OperatorDeps,
  audit: AuditMeta,
  input: EnsureAdminInput,
): Promise<EnsureAdminResult> {
  const { password = generatePassword(), ...account } = input;
  const { created, user } = await ensureAccount(deps, audit, { ...account, password, role: "ADMIN" });
  const summary: AccountSummary = {
    id: user.id,
    email: user.email,
    role: user.role,
    isActive: user.isActive,
  };
  if (!created) return { created, user: summary };
  return input.password === undefined
    ? { created, user: summary, generatedPassword: password }
    : { created, user: summary };
}

/** One line describing an account that was already there, for both CLIs. */
export function describeExisting(user: AccountSummary): string {
  const state = user.isActive ? "active" : "inactive";
  return user.role === "ADMIN"
    ? `${user.email} already exists (ADMIN, ${state}); nothing changed.`
    : `${user.email} already belongs to a ${user.role} account (${state}); nothing changed and it is NOT an admin. ` +
        "Choose another email, or change that account's role through the API as an admin.";
}
