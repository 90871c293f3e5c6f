import { randomUUID } from "node:crypto";
import { type AuditMeta, auditAttempt, auditedTransaction } from "#platform/audit/audit.ts";
import { randomToken } from "#platform/auth/secrets.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { unsafeFindUserByEmail } from "./access.ts";
import { normalizeEmail } from "./normalize.ts";
import { limitLogin } from "./rate-rules.ts";
import { knownClient, type SessionDto, startSession } from "./sessions.service.ts";

/** A real hash of a random password, made once per hasher: unknown emails cost a verification too. */
const dummyHashes = new WeakMap<Deps["hasher"], Promise<string>>();
function dummyHash(hasher: Deps["hasher"]): Promise<string> {
  let hash = dummyHashes.get(hasher);
  if (!hash) {
    hash = hasher.hash(randomToken());
    dummyHashes.set(hasher, hash);
  }
  return hash;
}

export async function login(
  deps: Deps,
  audit: AuditMeta,
  input: { email: string; password: string },
): Promise<SessionDto> {
  const email = normalizeEmail(input.email);
  // Limits first: a blocked attempt costs no hashing.
  const limits = await limitLogin(deps, audit, email);

  const user = await unsafeFindUserByEmail(deps.db, email);
  const valid = await deps.hasher.verify(
    user?.passwordHash ?? (await dummyHash(deps.hasher)),
    input.password,
  );
  const failure = !user
    ? "unknown_email"
    : !user.passwordHash || !valid
      ? "wrong_password"
      : !user.isActive
        ? "inactive"
        : null;
  if (!user || failure) {
    await auditAttempt(deps, audit, {
      action: "auth.login",
      outcome: "FAILURE",
      targetType: user ? "user" : undefined,
      targetId: user?.id ?? null,
      details: { reason: failure },
    });
    await limits.failed();
    // One answer for every failure: the response does not tell which emails have accounts.
    throw new DomainError("INVALID_CREDENTIALS");
  }
  if (deps.settings.requireVerifiedEmail && !user.emailVerifiedAt) {
    await auditAttempt(deps, audit, {
      action: "auth.login",
      outcome: "DENIED",
      targetType: "user",
      targetId: user.id,
      details: { reason: "email_not_verified" },
    });
    throw new DomainError("EMAIL_NOT_VERIFIED");
  }
  await limits.succeeded();
  return auditedTransaction(deps, audit, async (tx, record) => {
    const newClient = !(await knownClient(tx, user.id, audit.origin));
    const sessionId = randomUUID();
    const session = await startSession(deps, tx, user, audit.origin, sessionId);
    record.emit("user.signed_in", { v: 1, userId: user.id, sessionId, newClient });
    // The caller was anonymous until now: the login acts for the account it signs in.
    record.audit({
      action: "auth.login",
      outcome: "SUCCESS",
      targetType: "user",
      targetId: user.id,
      actor: { userId: user.id, role: user.role },
    });
    return session;
  });
}
