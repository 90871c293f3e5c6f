import type { User } from "@medical/db/schema";
import { z } from "zod";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import { ZPassword } from "#platform/auth/passwords.ts";
import { ROLES } from "#platform/auth/roles.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { describeIssues, toInputIssues } from "#platform/errors/issues.ts";
import { ZEmail, ZLocale, ZName, ZPhone } from "#platform/fields/fields.ts";
import { unsafeFindUserByEmail } from "./access.ts";
import { type InsertProfile, insertAccount, isEmailTaken } from "./account-or-invite.service.ts";
import { hashNewPassword } from "./new-password.ts";

/** The request schemas' rules, so an operator's account is stored as a client's would be. */
const ZOperatorAccount = z.object({
  email: ZEmail,
  password: ZPassword,
  role: z.enum(ROLES),
  firstName: ZName,
  lastName: ZName,
  phone: ZPhone.nullable().optional(),
  locale: ZLocale.optional(),
  /** Which tool made the account, recorded in the audit event's details. */
  via: z.string().min(1).max(40),
});
export type OperatorAccountInput = z.input<typeof ZOperatorAccount>;

export type EnsuredAccount =
  | { created: true; user: User }
  /** The email already had an account, of whatever role; nothing was changed. */
  | { created: false; user: User };

/**
 * An active, email-verified account with the password its operator chose (the first admin, the
 * demo accounts) unless the email already has one. An existing account is never changed — not
 * its password, role or active flag — so running a tool again cannot take over or reset anyone.
 * `insertProfile` adds the role's profile in the account's transaction. Audited as
 * `user.created` with `via`; the password is hashed only when the account is created.
 */
export async function ensureAccount(
  deps: Pick<Deps, "db" | "events" | "hasher" | "clock">,
  audit: AuditMeta,
  account: OperatorAccountInput,
  insertProfile?: InsertProfile<unknown>,
): Promise<EnsuredAccount> {
  const parsed = ZOperatorAccount.safeParse(account);
  if (!parsed.success) {
    throw new DomainError("VALIDATION_FAILED", describeIssues(toInputIssues(parsed.error.issues)));
  }
  const { password, via, ...input } = parsed.data;
  const existing = await unsafeFindUserByEmail(deps.db, input.email);
  if (existing) return { created: false, user: existing };
  const passwordHash = await hashNewPassword(deps, password, [input.email, input.firstName, input.lastName]);
  try {
    const user = await auditedTransaction(deps, audit, async (tx, record) => {
      const user = await insertAccount(
        tx,
        record,
        { ...input, passwordHash, isActive: true, emailVerifiedAt: deps.clock.now() },
        { via },
      );
      await insertProfile?.(tx, record, user);
      return user;
    });
    return { created: true, user };
  } catch (error) {
    if (!isEmailTaken(error)) throw error;
    // Another process took the email since the look-up: the unique index decided; report its account.
    const winner = await unsafeFindUserByEmail(deps.db, input.email);
    if (!winner) throw error;
    return { created: false, user: winner };
  }
}
