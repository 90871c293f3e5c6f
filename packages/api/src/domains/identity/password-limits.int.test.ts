import { describe, expect, test } from "vitest";
import type { PasswordHasher } from "#platform/auth/passwords.ts";
import type { Settings } from "#platform/deps.ts";
import { callerFor } from "#testing/caller.ts";
import { makeTestDeps, testHasher, testSettings } from "#testing/deps.ts";
import { makeUser, TEST_PASSWORD } from "#testing/factories/users.ts";
import { useFileDeps } from "#testing/file-deps.ts";

const file = useFileDeps();

/** RATE_LIMIT_LOGIN's production default: 10/15m per (account, IP), 100/1h per account, 100/15m per IP. */
const productionLogin: Settings["rateLimits"]["login"] = [
  { points: 10, durationMs: 15 * 60_000 },
  { points: 100, durationMs: 60 * 60_000 },
  { points: 100, durationMs: 15 * 60_000 },
];

function countingHasher(): PasswordHasher & { verifies: number } {
  const counter = {
    verifies: 0,
    hash: (password: string) => testHasher.hash(password),
    verify: (hash: string, password: string) => {
      counter.verifies += 1;
      return testHasher.verify(hash, password);
    },
  };
  return counter;
}

function setup() {
  const hasher = countingHasher();
  const deps = makeTestDeps(file.handle, {
    hasher,
    settings: { rateLimits: { ...testSettings.rateLimits, login: productionLogin } },
  });
  return { deps, hasher };
}

const attackerIps = Array.from({ length: 10 }, (_, i) => `198.51.100.${i + 1}`);

describe("login limits under a distributed guessing attack", () => {
  test("100 wrong guesses from 10 IPs do not lock the owner out of their usual IP; a new IP is limited", async () => {
    const { deps } = setup();
    const owner = await makeUser(file.db);
    const usualIp = "192.0.2.10";
    await callerFor(deps, { ip: usualIp }).auth.login({ email: owner.email, password: TEST_PASSWORD });

    const answers: string[] = [];
    for (const ip of attackerIps) {
      for (let i = 0; i < 10; i++) {
        const attempt = callerFor(deps, { ip }).auth.login({ email: owner.email, password: `guess-${i}` });
        answers.push(
          await attempt.then(
            () => "signed in",
            (error: { code: string }) => error.code,
          ),
        );
      }
    }
    expect(new Set(answers)).toEqual(new Set(["UNAUTHORIZED"]));

    await expect(
      callerFor(deps, { ip: usualIp }).auth.login({ email: owner.email, password: TEST_PASSWORD }),
    ).resolves.toMatchObject({ user: { id: owner.id } });
    await expect(
      callerFor(deps, { ip: "192.0.2.99" }).auth.login({ email: owner.email, password: TEST_PASSWORD }),
    ).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS", cause: { code: "RATE_LIMITED" } });
  });
});

describe("changing the password", () => {
  test("wrong current passwords are limited per account before any hashing", async () => {
    const { deps, hasher } = setup();
    const user = await makeUser(file.db);
    const session = await callerFor(deps).auth.login({ email: user.email, password: TEST_PASSWORD });
    // Each guess from its own address: the per-account window is what stops them.
    const guess = (i: number) =>
      callerFor(deps, { accessToken: session.accessToken, ip: `198.51.100.${i + 1}` }).users.changePassword({
        currentPassword: `guess-${i}`,
        newPassword: "a new strong passphrase",
      });
    for (let i = 0; i < 10; i++) {
      await expect(guess(i)).rejects.toMatchObject({ cause: { code: "INVALID_CREDENTIALS" } });
    }
    const verifiesBefore = hasher.verifies;
    await expect(guess(10)).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      cause: { code: "RATE_LIMITED", details: { retryAfterSeconds: expect.any(Number) } },
    });
    expect(hasher.verifies).toBe(verifiesBefore);
  });

  test("wrong current passwords are limited per IP across accounts", async () => {
    const tightIp = { points: 3, durationMs: 15 * 60_000 };
    const deps = makeTestDeps(file.handle, {
      settings: {
        rateLimits: {
          ...testSettings.rateLimits,
          login: [productionLogin[0]!, productionLogin[1]!, tightIp],
        },
      },
    });
    const ip = "198.51.100.200";
    const guessFromNewAccount = async () => {
      const user = await makeUser(file.db);
      const { accessToken } = await callerFor(deps).auth.login({
        email: user.email,
        password: TEST_PASSWORD,
      });
      return callerFor(deps, { accessToken, ip }).users.changePassword({
        currentPassword: "not it at all",
        newPassword: "a new strong passphrase",
      });
    };
    for (let i = 0; i < 3; i++) {
      await expect(guessFromNewAccount()).rejects.toMatchObject({ cause: { code: "INVALID_CREDENTIALS" } });
    }
    await expect(guessFromNewAccount()).rejects.toMatchObject({ cause: { code: "RATE_LIMITED" } });
  });
});
