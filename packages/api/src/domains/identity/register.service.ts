import { users } from "@medical/db/schema";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import type { Deps } from "#platform/deps.ts";
import { verificationMail } from "#platform/mail/messages.ts";
import { mapUniqueViolation } from "./account-or-invite.service.ts";
import { sendAfterAnswer } from "./mail.ts";
import { hashNewPassword } from "./new-password.ts";
import { normalizeEmail } from "./normalize.ts";
import { limitAuthRoute } from "./rate-rules.ts";
import { type SessionDto, startSession } from "./sessions.service.ts";
import { createUserToken } from "./user-tokens.service.ts";

export interface RegisterInput {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  phone?: string | null;
  locale?: string;
}

/** Self-registration: always a PATIENT, signed in at once, with a verification mail. */
export async function register(deps: Deps, audit: AuditMeta, input: RegisterInput): Promise<SessionDto> {
  await limitAuthRoute(deps, audit);
  const email = normalizeEmail(input.email);
  const passwordHash = await hashNewPassword(deps, input.password, [email, input.firstName, input.lastName]);
  try {
    const { session, token } = await auditedTransaction(deps, audit, async (tx, record) => {
      const [user] = await tx
        .insert(users)
        .values({
          email,
          passwordHash,
          role: "PATIENT",
          firstName: input.firstName,
          lastName: input.lastName,
          phone: input.phone ?? null,
          ...(input.locale ? { locale: input.locale } : {}),
        })
        .returning();
      if (!user) throw new Error("insert returned no row");
      const token = await createUserToken(deps.clock, tx, user.id, "EMAIL_VERIFICATION");
      const session = await startSession(deps, tx, user, audit.origin);
      record.audit({
        action: "user.registered",
        outcome: "SUCCESS",
        targetType: "user",
        targetId: user.id,
        actor: { userId: user.id, role: user.role },
      });
      return { session, token };
    });
    sendAfterAnswer(
      deps,
      verificationMail({
        to: email,
        firstName: session.user.firstName,
        token,
        locale: session.user.locale,
        appUrl: deps.settings.appUrl,
      }),
    );
    return session;
  } catch (error) {
    // The unique index decides, so two registrations racing for one email cannot both win.
    throw mapUniqueViolation(error, "An account with this email already exists");
  }
}
