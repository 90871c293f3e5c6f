import { makeUser, TEST_PASSWORD } from "@medical/api/testing";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { MAX_BATCH_SIZE } from "../src/app.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function signIn(): Promise<{ accessToken: string; refreshToken: string }> {
  const user = await makeUser(server.deps.db, { role: "PATIENT" });
  const response = await fetch(`${server.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: user.email, password: TEST_PASSWORD }),
  });
  const { data } = (await response.json()) as { data: { accessToken: string; refreshToken: string } };
  return data;
}

/** One HTTP request carrying `calls` tRPC calls of users.me, as the SDK's batch link sends them. */
async function batchOfMe(accessToken: string, calls: number) {
  const paths = Array(calls).fill("users.me").join(",");
  const response = await fetch(`${server.url}/trpc/${paths}?batch=1&input=${encodeURIComponent("{}")}`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  // Each answer in superjson's wrapping, as the transformer sends it.
  return (await response.json()) as { result?: unknown; error?: { json: { data: { appCode: string } } } }[];
}

/**
 * Every session look-up starts with the token's verification (platform/auth/authenticate.ts), so
 * counting verifications counts look-ups.
 */
describe("the session check of an HTTP request", () => {
  test(`runs once for a tRPC batch of ${MAX_BATCH_SIZE} calls, and again for the next request`, async () => {
    const { accessToken } = await signIn();
    const verify = vi.spyOn(server.deps.accessTokens, "verify");
    try {
      const answers = await batchOfMe(accessToken, MAX_BATCH_SIZE);
      expect(answers).toHaveLength(MAX_BATCH_SIZE);
      for (const answer of answers) expect(answer.result).toBeDefined();
      expect(verify).toHaveBeenCalledTimes(1);
      await batchOfMe(accessToken, 2);
      expect(verify).toHaveBeenCalledTimes(2);
    } finally {
      verify.mockRestore();
    }
  });

  test("sees a logout at the next request: every call of its batch is refused", async () => {
    const { accessToken, refreshToken } = await signIn();
    expect((await batchOfMe(accessToken, 3)).every((answer) => answer.result !== undefined)).toBe(true);
    const logout = await fetch(`${server.url}/api/v1/auth/logout`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refreshToken }),
    });
    expect(logout.status).toBe(200);
    const refused = await batchOfMe(accessToken, 3);
    expect(refused.map((answer) => answer.error?.json.data.appCode)).toEqual(
      Array(3).fill("UNAUTHENTICATED"),
    );
  });
});
