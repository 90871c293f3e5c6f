import { describe, expect, test } from "vitest";
import { callerFor } from "#testing/caller.ts";
import { makeUser } from "#testing/factories/users.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { createMemoryMailer, tokenIn } from "#testing/memory-mailer.ts";
import { signIn } from "#testing/sign-in.ts";

const mailer = createMemoryMailer();
const file = useFileDeps({ mailer });

let counter = 0;
const freshEmail = () => `strength.${Date.now()}.${++counter}@example.dz`;

/** Passwords the outside attack had accepted, and what makes each weak. */
const weak: [string, (email: string) => string][] = [
  ["a top-ten password", () => "12345678"],
  ["a dictionary word", () => "password"],
  ["eight spaces", () => "        "],
  ["eight zero-width spaces", () => "\u200b".repeat(8)],
  ["the email itself", (email) => email],
  ["the person's own names run together", () => "YasmineBenali"],
];

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => "accepted",
    (error: { code?: string; message?: string; cause?: { code?: string } }) => ({
      code: error.cause?.code,
      message: error.message,
    }),
  );

describe("new passwords must be hard to guess (400 WEAK_PASSWORD with the reason)", () => {
  test.each(weak)(
    "register refuses %s with WEAK_PASSWORD and a sentence saying why",
    async (_label, passwordFor) => {
      const email = freshEmail();
      const outcome = await refusal(
        callerFor(file.deps).auth.register({
          email,
          password: passwordFor(email),
          firstName: "Yasmine",
          lastName: "Benali",
        }),
      );
      expect(outcome).toMatchObject({
        code: "WEAK_PASSWORD",
        message: expect.stringMatching(/password (is too easy to guess|cannot)/),
      });
    },
  );

  test("a passphrase is accepted, and changing to a weak one is refused before anything changes", async () => {
    const email = freshEmail();
    await callerFor(file.deps).auth.register({
      email,
      password: "chosen by nadia",
      firstName: "Nadia",
      lastName: "Haddad",
    });
    const user = await makeUser(file.db, { firstName: "Lounes", lastName: "Ait" });
    const { caller } = await signIn(file.deps, user);
    await expect(
      caller.users.changePassword({ currentPassword: "Correct-Horse-Battery-42", newPassword: "password1" }),
    ).rejects.toMatchObject({ cause: { code: "WEAK_PASSWORD" } });
    // The old password still signs in: nothing was changed.
    await expect(signIn(file.deps, user)).resolves.toBeDefined();
  });

  test("a reset or invitation cannot set a weak password, and the token stays usable", async () => {
    const user = await makeUser(file.db);
    const anonymous = callerFor(file.deps);
    await anonymous.auth.forgot({ email: user.email });
    const reset = await mailer.next((m) => m.to === user.email && m.kind === "PASSWORD_RESET");
    await expect(
      anonymous.auth.reset({ token: tokenIn(reset), newPassword: "qwertyuiop" }),
    ).rejects.toMatchObject({
      cause: { code: "WEAK_PASSWORD" },
    });
    await expect(
      anonymous.auth.reset({ token: tokenIn(reset), newPassword: "a brand new password" }),
    ).resolves.toBeNull();
  });
});
