import { randomUUID } from "node:crypto";
import { domainEvents, sessions, userTokens } from "@medical/db/schema";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import type { AuditMeta } from "#platform/audit/audit.ts";
import type { PasswordHasher } from "#platform/auth/passwords.ts";
import type { Deps } from "#platform/deps.ts";
import { createInProcessEventBus, type DomainEvents } from "#platform/events/event-bus.ts";
import { encodeMessage, MAX_MESSAGE_BYTES } from "#platform/events/shared-bus.ts";
import { callerFor } from "#testing/caller.ts";
import { makeTestDeps, testHasher } from "#testing/deps.ts";
import { makeUser, TEST_PASSWORD } from "#testing/factories/users.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { createMemoryMailer, type MemoryMailer, tokenIn } from "#testing/memory-mailer.ts";
import { signInAs } from "#testing/sign-in.ts";
import { ensureAccount } from "./operator-accounts.service.ts";

const file = useFileDeps();

/** Counts the hashing work, so "same work for unknown emails" is asserted without timing. */
function countingHasher(): PasswordHasher & { verifies: number; hashes: number } {
  const counter = {
    verifies: 0,
    hashes: 0,
    hash: (password: string) => {
      counter.hashes += 1;
      return testHasher.hash(password);
    },
    verify: (hash: string, password: string) => {
      counter.verifies += 1;
      return testHasher.verify(hash, password);
    },
  };
  return counter;
}

function setup(options: Parameters<typeof makeTestDeps>[1] = {}) {
  const mailer = createMemoryMailer();
  const deps = makeTestDeps(file.handle, { mailer, ...options });
  return { deps, mailer: (options.mailer as MemoryMailer | undefined) ?? mailer, anonymous: callerFor(deps) };
}

let counter = 0;
const freshEmail = (prefix = "user") => `${prefix}.${Date.now()}.${++counter}@example.dz`;

async function auditActions(deps: Deps, targetId: string): Promise<string[]> {
  const { caller } = await signInAs(deps, "ADMIN");
  const page = await caller.audit.list({ targetId, limit: 100, order: "asc" });
  return page.items.map((event) => `${event.action}:${event.outcome}`);
}

describe("registration", () => {
  test("creates a signed-in PATIENT, mails a verification link, and the link verifies the email", async () => {
    const { deps, mailer, anonymous } = setup();
    const email = freshEmail("amina");
    const session = await anonymous.auth.register({
      email: ` ${email.toUpperCase()} `,
      password: "un mot de passe sûr",
      firstName: "Amina",
      lastName: "Benali",
    });
    expect(session).toMatchObject({
      tokenType: "Bearer",
      expiresIn: 900,
      user: { email, role: "PATIENT", emailVerified: false },
    });
    expect(session.user).not.toHaveProperty("passwordHash");

    const mail = await mailer.next((m) => m.to === email && m.kind === "EMAIL_VERIFICATION");
    await anonymous.auth.verifyEmail({ token: tokenIn(mail) });
    const me = await callerFor(deps, { accessToken: session.accessToken }).users.me();
    expect(me.emailVerified).toBe(true);
    await expect(anonymous.auth.verifyEmail({ token: tokenIn(mail) })).rejects.toMatchObject({
      cause: { code: "INVALID_TOKEN" },
    });
  });

  test("refuses a taken email whatever its case with EMAIL_TAKEN", async () => {
    const { anonymous } = setup();
    const user = await makeUser(file.db);
    await expect(
      anonymous.auth.register({
        email: user.email.toUpperCase(),
        password: "long enough pw",
        firstName: "A",
        lastName: "B",
      }),
    ).rejects.toMatchObject({ code: "CONFLICT", cause: { code: "EMAIL_TAKEN" } });
  });

  test("refuses unknown keys, so nobody registers as an ADMIN", async () => {
    const { anonymous } = setup();
    const input = JSON.parse(
      `{"email":"${freshEmail()}","password":"long enough pw","firstName":"A","lastName":"B","role":"ADMIN"}`,
    );
    await expect(anonymous.auth.register(input)).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("login", () => {
  test("does the same hashing work for an unknown email as for a wrong password, with one answer", async () => {
    const hasher = countingHasher();
    const { deps } = setup({ hasher });
    const user = await makeUser(file.db);
    const attempt = (email: string) =>
      callerFor(deps)
        .auth.login({ email, password: "wrong password" })
        .catch((error: unknown) => error);

    await attempt(freshEmail()); // warms the dummy hash up once
    const before = hasher.verifies;
    const unknown = await attempt(freshEmail());
    const afterUnknown = hasher.verifies;
    const wrong = await attempt(user.email);
    expect(afterUnknown - before).toBe(1);
    expect(hasher.verifies - afterUnknown).toBe(1);
    expect(unknown).toMatchObject({
      message: "Invalid email or password",
      cause: { code: "INVALID_CREDENTIALS" },
    });
    expect(wrong).toMatchObject({
      message: "Invalid email or password",
      cause: { code: "INVALID_CREDENTIALS" },
    });
  });

  test("is refused to a deactivated account, which cannot refresh either", async () => {
    const { deps } = setup();
    const { user, refreshToken } = await signInAs(deps, "PATIENT");
    const { caller: admin } = await signInAs(deps, "ADMIN");
    await admin.users.delete({ id: user.id });
    await expect(
      callerFor(deps).auth.login({ email: user.email, password: TEST_PASSWORD }),
    ).rejects.toMatchObject({
      cause: { code: "INVALID_CREDENTIALS" },
    });
    await expect(callerFor(deps).auth.refresh({ refreshToken })).rejects.toMatchObject({
      cause: { code: "UNAUTHENTICATED" },
    });
  });

  test("with REQUIRE_VERIFIED_EMAIL refuses an unverified account with EMAIL_NOT_VERIFIED", async () => {
    const { deps } = setup({ settings: { requireVerifiedEmail: true } });
    const user = await makeUser(file.db, { emailVerifiedAt: null });
    await expect(
      callerFor(deps).auth.login({ email: user.email, password: TEST_PASSWORD }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
      cause: { code: "EMAIL_NOT_VERIFIED" },
    });
  });

  test("is rate-limited per account and IP before any hashing, without locking the account out elsewhere", async () => {
    const hasher = countingHasher();
    const tight = { points: 2, durationMs: 900_000 };
    const roomy = { points: 100, durationMs: 900_000 };
    const { deps } = setup({
      hasher,
      settings: {
        rateLimits: {
          login: [tight, roomy, roomy],
          auth: [roomy],
          public: [roomy],
          calendarFeed: [roomy],
          export: [roomy],
        },
      },
    });
    const user = await makeUser(file.db);
    const fromAttacker = callerFor(deps, { ip: "198.51.100.66" });
    for (let i = 0; i < 2; i++) {
      await expect(fromAttacker.auth.login({ email: user.email, password: "guess" })).rejects.toMatchObject({
        cause: { code: "INVALID_CREDENTIALS" },
      });
    }
    const verifiesBefore = hasher.verifies;
    await expect(
      fromAttacker.auth.login({ email: user.email, password: TEST_PASSWORD }),
    ).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      cause: { code: "RATE_LIMITED", details: { retryAfterSeconds: expect.any(Number) } },
    });
    expect(hasher.verifies).toBe(verifiesBefore);
    const fromClinic = callerFor(deps, { ip: "192.0.2.10" });
    await expect(
      fromClinic.auth.login({ email: user.email, password: TEST_PASSWORD }),
    ).resolves.toMatchObject({
      user: { id: user.id },
    });
  });

  test("per IP limits every account tried from that address", async () => {
    const tight = { points: 2, durationMs: 900_000 };
    const roomy = { points: 100, durationMs: 900_000 };
    const { deps } = setup({
      settings: {
        rateLimits: {
          login: [roomy, roomy, tight],
          auth: [roomy],
          public: [roomy],
          calendarFeed: [roomy],
          export: [roomy],
        },
      },
    });
    const caller = callerFor(deps, { ip: "198.51.100.99" });
    await caller.auth.login({ email: freshEmail(), password: "x" }).catch(() => undefined);
    await caller.auth.login({ email: freshEmail(), password: "x" }).catch(() => undefined);
    await expect(caller.auth.login({ email: freshEmail(), password: "x" })).rejects.toMatchObject({
      cause: { code: "RATE_LIMITED" },
    });
  });
});

describe("access tokens on calls", () => {
  test("no token, a forged one or a refresh token is UNAUTHENTICATED; an expired one TOKEN_EXPIRED", async () => {
    const { deps } = setup();
    const { accessToken, refreshToken } = await signInAs(deps, "PATIENT");
    await expect(callerFor(deps).users.me()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      cause: { code: "UNAUTHENTICATED" },
    });
    const forged = `${accessToken.slice(0, -4)}AAAA`;
    for (const token of [forged, refreshToken]) {
      await expect(callerFor(deps, { accessToken: token }).users.me()).rejects.toMatchObject({
        cause: { code: "UNAUTHENTICATED" },
      });
    }
    const later = makeTestDeps(file.handle, { clock: { now: () => new Date(Date.now() + 16 * 60_000) } });
    await expect(callerFor(later, { accessToken }).users.me()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      cause: { code: "TOKEN_EXPIRED" },
    });
  });

  test("a known caller without the role gets FORBIDDEN, not UNAUTHENTICATED", async () => {
    const { deps } = setup();
    for (const role of ["PATIENT", "DOCTOR", "STAFF"] as const) {
      const { caller } = await signInAs(deps, role);
      await expect(caller.users.list({ limit: 10 })).rejects.toMatchObject({
        code: "FORBIDDEN",
        cause: { code: "FORBIDDEN" },
      });
      await expect(caller.audit.list({ limit: 10 })).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
  });
});

describe("refresh tokens", () => {
  test("rotate on every use; replaying a spent one revokes the family, audited", async () => {
    const { deps } = setup();
    const { user, refreshToken } = await signInAs(deps, "PATIENT");
    const anonymous = callerFor(deps);
    const second = await anonymous.auth.refresh({ refreshToken });
    expect(second.refreshToken).not.toBe(refreshToken);
    const third = await anonymous.auth.refresh({ refreshToken: second.refreshToken });

    await expect(anonymous.auth.refresh({ refreshToken })).rejects.toMatchObject({
      cause: { code: "UNAUTHENTICATED" },
    });
    await expect(anonymous.auth.refresh({ refreshToken: third.refreshToken })).rejects.toMatchObject({
      cause: { code: "UNAUTHENTICATED" },
    });
    await expect(callerFor(deps, { accessToken: third.accessToken }).users.me()).rejects.toMatchObject({
      cause: { code: "UNAUTHENTICATED" },
    });
    const { caller: admin } = await signInAs(deps, "ADMIN");
    const reuse = await admin.audit.list({ action: "auth.refresh_reuse", limit: 100 });
    expect(reuse.items.some((event) => event.details?.userId === user.id && event.outcome === "DENIED")).toBe(
      true,
    );
  });

  test("that are malformed, unknown or of any length are UNAUTHENTICATED on refresh and logout", async () => {
    const { deps, anonymous } = setup();
    const { accessToken } = await signInAs(deps, "PATIENT");
    for (const refreshToken of [
      "",
      "nonsense",
      "a.b.c",
      `${crypto.randomUUID()}.${"x".repeat(43)}`,
      accessToken,
      `${crypto.randomUUID()}.${"x".repeat(2000)}`,
    ]) {
      await expect(anonymous.auth.refresh({ refreshToken })).rejects.toMatchObject({
        cause: { code: "UNAUTHENTICATED" },
      });
      await expect(anonymous.auth.logout({ refreshToken })).rejects.toMatchObject({
        cause: { code: "UNAUTHENTICATED" },
      });
    }
  });
});

describe("sessions end", () => {
  test("on logout at once, even when the access token has expired", async () => {
    const { deps } = setup();
    const { refreshToken, caller } = await signInAs(deps, "PATIENT");
    await caller.users.me();
    const later = makeTestDeps(file.handle, { clock: { now: () => new Date(Date.now() + 16 * 60_000) } });
    await callerFor(later).auth.logout({ refreshToken });
    await expect(caller.users.me()).rejects.toMatchObject({ cause: { code: "UNAUTHENTICATED" } });
    await expect(callerFor(deps).auth.refresh({ refreshToken })).rejects.toMatchObject({
      cause: { code: "UNAUTHENTICATED" },
    });
  });

  test("everywhere on logout-all", async () => {
    const { deps } = setup();
    const { user, caller } = await signInAs(deps, "PATIENT");
    const other = await callerFor(deps).auth.login({ email: user.email, password: TEST_PASSWORD });
    await caller.auth.logoutAll();
    await expect(caller.users.me()).rejects.toMatchObject({ cause: { code: "UNAUTHENTICATED" } });
    await expect(callerFor(deps, { accessToken: other.accessToken }).users.me()).rejects.toMatchObject({
      cause: { code: "UNAUTHENTICATED" },
    });
  });

  test("with a session.revoked event that commits with the change and reaches the bus after it", async () => {
    const events = createInProcessEventBus();
    const { deps } = setup({ events });
    const { user, caller } = await signInAs(deps, "PATIENT");
    const other = await callerFor(deps).auth.login({ email: user.email, password: TEST_PASSWORD });
    const heard: DomainEvents["session.revoked"][] = [];
    events.subscribe("session.revoked", (event) => heard.push(event));

    await caller.auth.logoutAll();

    const sessionIds = (
      await file.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, user.id))
    ).map((row) => row.id);
    const expected = {
      v: 1,
      userId: user.id,
      sessionIds: expect.arrayContaining(sessionIds),
      reason: "LOGOUT_ALL",
    };
    expect(sessionIds).toHaveLength(2);
    expect(sessionIds).toContain(other.refreshToken.split(".")[0]);
    expect(heard).toEqual([expected]);
    const outbox = await file.db
      .select()
      .from(domainEvents)
      .where(
        and(eq(domainEvents.type, "session.revoked"), sql`${domainEvents.payload}->>'userId' = ${user.id}`),
      );
    expect(outbox).toEqual([expect.objectContaining({ actorId: user.id, payload: expected })]);
  });

  test("of a user with hundreds of sessions in events of at most 100 ids, each small enough to share", async () => {
    const events = createInProcessEventBus();
    const { deps } = setup({ events });
    const { user, caller } = await signInAs(deps, "PATIENT");
    const expiresAt = new Date(Date.now() + 86_400_000);
    await file.db
      .insert(sessions)
      .values(
        Array.from({ length: 249 }, () => ({ userId: user.id, refreshTokenHash: "x".repeat(64), expiresAt })),
      );
    const heard: DomainEvents["session.revoked"][] = [];
    events.subscribe("session.revoked", (event) => heard.push(event));

    await caller.auth.logoutAll();

    expect(heard.map((event) => event.sessionIds.length)).toEqual([100, 100, 50]);
    expect(new Set(heard.flatMap((event) => event.sessionIds)).size).toBe(250);
    for (const event of heard) {
      expect(event).toMatchObject({ userId: user.id, reason: "LOGOUT_ALL" });
      const message = encodeMessage(randomUUID(), "session.revoked", event);
      expect(Buffer.byteLength(message)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    }
  });

  test("elsewhere on a password change, which keeps this session and checks the current password", async () => {
    const { deps } = setup();
    const { user, caller } = await signInAs(deps, "PATIENT");
    const other = await callerFor(deps).auth.login({ email: user.email, password: TEST_PASSWORD });
    await expect(
      caller.users.changePassword({ currentPassword: "not it", newPassword: "a brand new password" }),
    ).rejects.toMatchObject({
      cause: { code: "INVALID_CREDENTIALS" },
    });
    await caller.users.changePassword({
      currentPassword: TEST_PASSWORD,
      newPassword: "a brand new password",
    });
    await expect(caller.users.me()).resolves.toMatchObject({ id: user.id });
    await expect(callerFor(deps, { accessToken: other.accessToken }).users.me()).rejects.toMatchObject({
      cause: { code: "UNAUTHENTICATED" },
    });
    await expect(
      callerFor(deps).auth.login({ email: user.email, password: "a brand new password" }),
    ).resolves.toBeTruthy();
  });

  test("on a role change", async () => {
    const { deps } = setup();
    const { user, caller } = await signInAs(deps, "STAFF");
    const { caller: admin } = await signInAs(deps, "ADMIN");
    await admin.users.update({ id: user.id, role: "DOCTOR" });
    await expect(caller.users.me()).rejects.toMatchObject({ cause: { code: "UNAUTHENTICATED" } });
    const again = await callerFor(deps).auth.login({ email: user.email, password: TEST_PASSWORD });
    expect(again.user.role).toBe("DOCTOR");
  });
});

describe("password reset", () => {
  test("answers forgot alike for unknown emails and touches the account only after answering", async () => {
    // Counts every use of the database, so "nothing about the account before the answer" needs no timing.
    let dbUses = 0;
    const db = new Proxy(file.db, {
      get(target, property, receiver) {
        dbUses += 1;
        return Reflect.get(target, property, receiver);
      },
    });
    const mailer = createMemoryMailer();
    const deps = { ...makeTestDeps(file.handle, { mailer }), db };
    const anonymous = callerFor(deps);
    const user = await makeUser(file.db);

    const known = await anonymous.auth.forgot({ email: user.email });
    expect({ dbUses, mailed: mailer.sent.length }).toEqual({ dbUses: 0, mailed: 0 });
    const unknown = await anonymous.auth.forgot({ email: freshEmail() });
    expect(known).toEqual(unknown);

    await mailer.next((m) => m.to === user.email && m.kind === "PASSWORD_RESET");
    const tokens = await file.db.select().from(userTokens).where(eq(userTokens.userId, user.id));
    expect(tokens.map((token) => token.purpose)).toEqual(["PASSWORD_RESET"]);
    expect(mailer.sent.map((m) => m.to)).toEqual([user.email]);
  });

  test("sets the password once, verifies the email, voids other tokens and ends every session", async () => {
    const { deps, mailer, anonymous } = setup();
    const email = freshEmail();
    const registered = await anonymous.auth.register({
      email,
      password: "first password",
      firstName: "Karim",
      lastName: "Saadi",
    });
    const verification = await mailer.next((m) => m.to === email && m.kind === "EMAIL_VERIFICATION");
    await anonymous.auth.forgot({ email });
    const reset = await mailer.next((m) => m.to === email && m.kind === "PASSWORD_RESET");

    await anonymous.auth.reset({ token: tokenIn(reset), newPassword: "second password" });
    await expect(
      anonymous.auth.reset({ token: tokenIn(reset), newPassword: "third password" }),
    ).rejects.toMatchObject({
      cause: { code: "INVALID_TOKEN" },
    });
    await expect(anonymous.auth.verifyEmail({ token: tokenIn(verification) })).rejects.toMatchObject({
      cause: { code: "INVALID_TOKEN" },
    });
    await expect(callerFor(deps, { accessToken: registered.accessToken }).users.me()).rejects.toMatchObject({
      cause: { code: "UNAUTHENTICATED" },
    });
    const session = await anonymous.auth.login({ email, password: "second password" });
    expect(session.user.emailVerified).toBe(true);
    expect(await auditActions(deps, session.user.id)).toEqual(
      expect.arrayContaining([
        "user.registered:SUCCESS",
        "auth.password_reset_requested:SUCCESS",
        "auth.password_reset:SUCCESS",
      ]),
    );
  });

  test("tokens expire after an hour", async () => {
    const { mailer, anonymous } = setup();
    const user = await makeUser(file.db);
    await anonymous.auth.forgot({ email: user.email });
    const reset = await mailer.next((m) => m.to === user.email && m.kind === "PASSWORD_RESET");
    const later = makeTestDeps(file.handle, { clock: { now: () => new Date(Date.now() + 61 * 60_000) } });
    await expect(
      callerFor(later).auth.reset({ token: tokenIn(reset), newPassword: "too late now" }),
    ).rejects.toMatchObject({
      cause: { code: "INVALID_TOKEN" },
    });
  });
});

describe("admin user management", () => {
  test("creates a DOCTOR with an invitation that sets a password and verifies the email", async () => {
    const { deps, mailer, anonymous } = setup();
    const { caller: admin } = await signInAs(deps, "ADMIN");
    const email = freshEmail("dr.mansouri");
    const created = await admin.users.create({
      email,
      firstName: "Nadia",
      lastName: "Mansouri",
      role: "DOCTOR",
      phone: "+213661234567",
    });
    expect(created).toMatchObject({ email, role: "DOCTOR", emailVerified: false, isActive: true });
    await expect(anonymous.auth.login({ email, password: "anything at all" })).rejects.toMatchObject({
      cause: { code: "INVALID_CREDENTIALS" },
    });
    const invitation = await mailer.next((m) => m.to === email && m.kind === "INVITATION");
    await anonymous.auth.reset({ token: tokenIn(invitation), newPassword: "chosen by nadia" });
    const session = await anonymous.auth.login({ email, password: "chosen by nadia" });
    expect(session.user).toMatchObject({ role: "DOCTOR", emailVerified: true });
    expect(await auditActions(deps, created.id)).toEqual(
      expect.arrayContaining([
        "user.created:SUCCESS",
        "auth.invitation_accepted:SUCCESS",
        "auth.login:SUCCESS",
      ]),
    );
  });

  test("lists with filters, accent-insensitive search and keyset pages; a tampered cursor is a 400", async () => {
    const { deps } = setup();
    const { caller: admin } = await signInAs(deps, "ADMIN");
    const marker = `Zeroual${Date.now()}`;
    for (const firstName of ["Ségolène", "Sofiane", "Samir"])
      await makeUser(file.db, { role: "STAFF", firstName, lastName: marker });
    const found = await admin.users.list({ q: `segolene ${marker.toLowerCase()}`, limit: 10 });
    expect(found.items.map((u) => u.firstName)).toEqual(["Ségolène"]);

    const first = await admin.users.list({ q: marker, role: "STAFF", sort: "email", order: "asc", limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await admin.users.list({
      q: marker,
      role: "STAFF",
      sort: "email",
      order: "asc",
      limit: 2,
      cursor: first.nextCursor ?? "",
    });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const emails = [...first.items, ...second.items].map((u) => u.email);
    expect(emails).toEqual([...emails].sort());

    for (const cursor of [
      "garbage",
      Buffer.from('{"s":"email","o":"asc","v":"a","id":"not-a-uuid"}').toString("base64url"),
      first.nextCursor ?? "",
    ]) {
      await expect(
        admin.users.list({ q: marker, sort: "createdAt", cursor, limit: 2 }),
      ).rejects.toMatchObject({
        cause: { code: "VALIDATION_FAILED" },
      });
    }
    await expect(admin.users.list({ limit: 101 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  test("answers NOT_FOUND for an unknown id", async () => {
    const { deps } = setup();
    const { caller: admin } = await signInAs(deps, "ADMIN");
    await expect(admin.users.get({ id: crypto.randomUUID() })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(admin.users.update({ id: crypto.randomUUID(), firstName: "X" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  test("keeps the last active admin, also when two admins demote each other at once", async () => {
    const { deps } = setup();
    // Other tests leave admins behind: demote every admin but two first, then race.
    const { caller: a, user: userA } = await signInAs(deps, "ADMIN");
    const { caller: b, user: userB } = await signInAs(deps, "ADMIN");
    const all = await a.users.list({ role: "ADMIN", isActive: true, limit: 100 });
    for (const admin of all.items.filter((u) => u.id !== userA.id && u.id !== userB.id)) {
      await a.users.update({ id: admin.id, role: "STAFF" });
    }
    const results = await Promise.allSettled([
      a.users.update({ id: userB.id, role: "DOCTOR" }),
      b.users.update({ id: userA.id, role: "DOCTOR" }),
    ]);
    const succeeded = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected");
    expect(succeeded).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const survivor =
      succeeded.length && results[0]?.status === "fulfilled"
        ? { caller: a, user: userA }
        : { caller: b, user: userB };
    // The loser is refused as LAST_ADMIN, or finds its own session ended by the winner's demotion.
    const loser = refused[0];
    expect(loser?.status === "rejected" ? loser.reason : null).toMatchObject({
      cause: { code: expect.stringMatching(/LAST_ADMIN|UNAUTHENTICATED/) },
    });
    await expect(survivor.caller.users.delete({ id: survivor.user.id })).rejects.toMatchObject({
      cause: { code: "LAST_ADMIN" },
    });
    await expect(survivor.caller.users.update({ id: survivor.user.id, role: "STAFF" })).rejects.toMatchObject(
      {
        cause: { code: "LAST_ADMIN" },
      },
    );
    // The refusals are in the trail, and the refused changes are not.
    const survivorEvents = await auditActions(deps, survivor.user.id);
    expect(survivorEvents).toEqual(
      expect.arrayContaining(["user.deactivated:DENIED", "user.role_changed:DENIED"]),
    );
    expect(survivorEvents).not.toContain("user.deactivated:SUCCESS");
    await expect(survivor.caller.users.me()).resolves.toMatchObject({ role: "ADMIN", isActive: true });
  });
});

describe("the caller's own account", () => {
  test("changes names, phone and locale, and refuses role, email or active flag", async () => {
    const { deps } = setup();
    const { caller } = await signInAs(deps, "PATIENT");
    const updated = await caller.users.updateMe({
      firstName: "Lina",
      phone: "+213551112233",
      locale: "ar-dz",
    });
    expect(updated).toMatchObject({ firstName: "Lina", phone: "+213551112233", locale: "ar-DZ" });
    for (const field of ['"role":"ADMIN"', '"isActive":false', '"email":"x@example.dz"']) {
      await expect(caller.users.updateMe(JSON.parse(`{${field}}`))).rejects.toMatchObject({
        code: "BAD_REQUEST",
      });
    }
    await expect(caller.users.updateMe({ phone: "0551112233" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});

describe("the security trail of an account", () => {
  test("records every security event of an account, readable by admins with filters", async () => {
    const { deps } = setup();
    const { user, refreshToken, caller } = await signInAs(deps, "STAFF");
    await callerFor(deps)
      .auth.login({ email: user.email, password: "wrong" })
      .catch(() => undefined);
    await caller.users.changePassword({ currentPassword: TEST_PASSWORD, newPassword: "another long one" });
    await callerFor(deps).auth.logout({ refreshToken });
    const { caller: admin, user: adminUser } = await signInAs(deps, "ADMIN");
    await admin.users.update({ id: user.id, role: "DOCTOR" });
    await admin.users.delete({ id: user.id });
    await admin.users.update({ id: user.id, isActive: true });

    const actions = await auditActions(deps, user.id);
    expect(actions).toEqual(
      expect.arrayContaining([
        "auth.login:SUCCESS",
        "auth.login:FAILURE",
        "user.password_changed:SUCCESS",
        "user.role_changed:SUCCESS",
        "user.deactivated:SUCCESS",
        "user.activated:SUCCESS",
      ]),
    );
    const byAdmin = await admin.audit.list({
      actorId: adminUser.id,
      action: "user.role_changed",
      limit: 10,
    });
    expect(byAdmin.items).toEqual([
      expect.objectContaining({
        actorId: adminUser.id,
        actorRole: "ADMIN",
        targetId: user.id,
        details: { from: "STAFF", to: "DOCTOR" },
      }),
    ]);
    const logouts = await admin.audit.list({ action: "auth.logout", limit: 100 });
    expect(logouts.items.some((event) => event.details?.userId === user.id)).toBe(true);
    const future = await admin.audit.list({ from: new Date(Date.now() + 60_000), limit: 10 });
    expect(future.items).toEqual([]);
  });
});

describe("accounts made by operator tools (ensureAccount)", () => {
  const operator: AuditMeta = {
    actor: null,
    requestId: "operator-run",
    origin: { ip: null, userAgent: null },
  };
  const account = (email: string) => ({
    email,
    password: "Algeria123!",
    role: "DOCTOR" as const,
    firstName: " Nadia ",
    lastName: "Mansouri",
    locale: "ar-dz",
    via: "seed",
  });

  test("are stored by the request rules, signed in with their password, audited once, and never changed", async () => {
    const { deps, anonymous } = setup();
    const email = freshEmail("operator");
    const first = await ensureAccount(deps, operator, account(` ${email.toUpperCase()} `));
    expect(first.created).toBe(true);
    expect(first.user).toMatchObject({ email, firstName: "Nadia", locale: "ar-DZ", isActive: true });
    const session = await anonymous.auth.login({ email, password: "Algeria123!" });
    expect(session.user).toMatchObject({ role: "DOCTOR", emailVerified: true });

    const again = await ensureAccount(deps, operator, {
      ...account(email),
      password: "another password",
      role: "ADMIN",
    });
    expect(again).toEqual({ created: false, user: first.user });
    await expect(anonymous.auth.login({ email, password: "Algeria123!" })).resolves.toBeTruthy();
    expect((await auditActions(deps, first.user.id)).filter((a) => a.startsWith("user.created"))).toEqual([
      "user.created:SUCCESS",
    ]);
  });

  test("refuses what a client could not send, before writing anything", async () => {
    const { deps } = setup();
    const email = freshEmail();
    await expect(
      ensureAccount(deps, operator, { ...account(email), phone: "0551112233" }),
    ).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      message: expect.stringContaining("phone"),
    });
    await expect(
      ensureAccount(deps, operator, { ...account(email), password: "short" }),
    ).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    expect(await ensureAccount(deps, operator, account(email))).toMatchObject({ created: true });
  });
});
