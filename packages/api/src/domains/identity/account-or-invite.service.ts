import type { Transaction } from "@medical/db";
import { pgErrorFacts } from "@medical/db";
import { type NewUser, type User, users } from "@medical/db/schema";
import { type AuditMeta, auditedTransaction, type ChangeRecorder } from "#platform/audit/audit.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError, invalidField } from "#platform/errors/errors.ts";
import { invitationMail } from "#platform/mail/messages.ts";
import { unsafeLockUser } from "./access.ts";
import { sendAfterAnswer } from "./mail.ts";
import { normalizeEmail } from "./normalize.ts";
import { createUserToken, TOKEN_LIFETIME_MS } from "./user-tokens.service.ts";

const UNIQUE_VIOLATION = "23505";
const EMAIL_INDEX = "users_email_lower_key";

/** Whose profile: an existing account (by id), or a new one to invite (by email and names). */
export type ProfileOwner =
  | { userId: string }
  | { email: string; firstName: string; lastName: string; phone?: string | null; locale?: string };

export type ProfileRole = "PATIENT" | "DOCTOR";

/** Inserts the role's profile for `user` inside the account's transaction; returns what the caller needs. */
export type InsertProfile<T> = (tx: Transaction, record: ChangeRecorder, user: User) => Promise<T>;

/**
 * Inserts an account, its email stored normalised, and audits it as `user.created` (with the
 * role and `details`). Every account but a self-registered one starts here.
 */
export async function insertAccount(
  tx: Transaction,
  record: ChangeRecorder,
  values: NewUser,
  details: Record<string, string> = {},
): Promise<User> {
  const [user] = await tx
    .insert(users)
    .values({ ...values, email: normalizeEmail(values.email) })
    .returning();
  if (!user) throw new Error("insert returned no row");
  record.audit({
    action: "user.created",
    outcome: "SUCCESS",
    targetType: "user",
    targetId: user.id,
    details: { role: user.role, ...details },
  });
  return user;
}

/**
 * Inserts an invited account (no password: the invitation mail sets one) and audits it; the
 * invitation token is returned for the mail that goes out after the commit.
 */
export async function insertInvitedUser(
  deps: Pick<Deps, "clock">,
  tx: Transaction,
  record: ChangeRecorder,
  input: {
    email: string;
    firstName: string;
    lastName: string;
    phone?: string | null;
    locale?: string;
    role: User["role"];
  },
): Promise<{ user: User; token: string }> {
  const user = await insertAccount(tx, record, { ...input, passwordHash: null });
  const token = await createUserToken(deps.clock, tx, user.id, "INVITATION");
  return { user, token };
}

export function sendInvitation(
  deps: Pick<Deps, "mailer" | "logger" | "settings">,
  user: User,
  token: string,
): void {
  sendAfterAnswer(
    deps,
    invitationMail({
      to: user.email,
      firstName: user.firstName,
      token,
      locale: user.locale,
      appUrl: deps.settings.appUrl,
      role: user.role,
      expiresInDays: TOKEN_LIFETIME_MS.INVITATION / 86_400_000,
    }),
  );
}

/** The insert lost to an account that already has this email (case-insensitively). */
export function isEmailTaken(error: unknown): boolean {
  const facts = pgErrorFacts(error);
  return facts?.code === UNIQUE_VIOLATION && facts.constraint === EMAIL_INDEX;
}

/** A taken email is EMAIL_TAKEN; a second profile for one account (a race included) is CONFLICT. */
export function mapUniqueViolation(error: unknown, conflict: string): unknown {
  if (isEmailTaken(error)) return new DomainError("EMAIL_TAKEN");
  return pgErrorFacts(error)?.code === UNIQUE_VIOLATION ? new DomainError("CONFLICT", conflict) : error;
}

/**
 * The one "profile for an account, or invite one" flow (patients and doctors): in one audited
 * transaction, either an existing account of `role` — locked, so two concurrent requests
 * serialise and the second meets the profile's unique index — or a new invited account, plus the
 * profile `insertProfile` writes. Concurrent duplicates answer 409, never 500.
 */
export async function createProfileWithAccount<T>(
  deps: Deps,
  audit: AuditMeta,
  role: ProfileRole,
  owner: ProfileOwner,
  insertProfile: InsertProfile<T>,
  conflict: string,
): Promise<T> {
  let invitation: { user: User; token: string } | undefined;
  try {
    const result = await auditedTransaction(deps, audit, async (tx, record) => {
      let user: User;
      if ("userId" in owner) {
        const account = await unsafeLockUser(tx, owner.userId);
        if (account?.role !== role) throw invalidField(["userId"], `not a ${role} account`);
        user = account;
      } else {
        invitation = await insertInvitedUser(deps, tx, record, { ...owner, role });
        user = invitation.user;
      }
      return insertProfile(tx, record, user);
    });
    if (invitation) sendInvitation(deps, invitation.user, invitation.token);
    return result;
  } catch (error) {
    throw mapUniqueViolation(error, conflict);
  }
}
