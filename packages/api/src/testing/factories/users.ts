import type { Database } from "@medical/db";
import { type NewUser, type User, users } from "@medical/db/schema";
import { testHasher } from "../deps.ts";

/** Every factory user can sign in with this password; its hash is computed once per process. */
export const TEST_PASSWORD = "Correct-Horse-Battery-42";
let testPasswordHash: Promise<string> | undefined;
export const passwordHashForTests = () => {
  testPasswordHash ??= testHasher.hash(TEST_PASSWORD);
  return testPasswordHash;
};

let sequence = 0;

/** A valid, unique user (PATIENT unless told otherwise); overrides win. */
export async function makeUser(db: Database, overrides: Partial<NewUser> = {}): Promise<User> {
  sequence += 1;
  const unique = `${Date.now().toString(36)}${sequence}${Math.random().toString(36).slice(2, 6)}`;
  const [user] = await db
    .insert(users)
    .values({
      email: `user.${unique}@example.dz`,
      passwordHash: await passwordHashForTests(),
      role: "PATIENT",
      firstName: "Yasmine",
      lastName: `Benali-${unique}`,
      emailVerifiedAt: new Date(),
      ...overrides,
    })
    .returning();
  if (!user) throw new Error("makeUser inserted nothing");
  return user;
}
