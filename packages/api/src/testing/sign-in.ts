import type { Role, User } from "@medical/db/schema";
import type { Deps } from "#platform/deps.ts";
import { type Caller, callerFor } from "./caller.ts";
import { makeUser, TEST_PASSWORD } from "./factories/users.ts";

export interface SignedIn {
  user: User;
  accessToken: string;
  refreshToken: string;
  caller: Caller;
}

/** Signs a factory user in through the login procedure, as a client would. */
export async function signIn(deps: Deps, user: User, options: { ip?: string } = {}): Promise<SignedIn> {
  const session = await callerFor(deps, options).auth.login({ email: user.email, password: TEST_PASSWORD });
  return {
    user,
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
    caller: callerFor(deps, { ...options, accessToken: session.accessToken }),
  };
}

/** A new account of `role` (no profile), signed in. */
export async function signInAs(
  deps: Deps,
  role: Role,
  overrides: Partial<Omit<User, "role">> = {},
  options: { ip?: string } = {},
): Promise<SignedIn> {
  return signIn(deps, await makeUser(deps.db, { ...overrides, role }), options);
}
