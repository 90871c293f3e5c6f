import { passwordWeakness } from "#platform/auth/password-strength.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";

/**
 * The one way a chosen password becomes a hash: refused with WEAK_PASSWORD (and the reason)
 * before any hashing work when it is guessable, counting the person's email and names.
 */
export async function hashNewPassword(
  deps: Pick<Deps, "hasher">,
  password: string,
  personal: readonly (string | null | undefined)[],
): Promise<string> {
  const weakness = await passwordWeakness(password, personal);
  if (weakness) throw new DomainError("WEAK_PASSWORD", weakness);
  return deps.hasher.hash(password);
}
