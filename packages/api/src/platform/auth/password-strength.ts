import type { ZxcvbnFactory } from "@zxcvbn-ts/core";

/**
 * zxcvbn's score from 0 to 4; 3 is "safely unguessable: moderate protection from an offline
 * slow-hash scenario", which argon2id is. Every password of the seed and the docs passes it.
 */
export const MIN_PASSWORD_SCORE = 3;

/** Control and format characters (zero-width spaces, joiners, direction marks): invisible, so unrecallable. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/**
 * Loaded and indexed at the first check, not at start: the dictionaries are megabytes of strings
 * (start time and resident memory of every instance) and indexing them takes ~70 ms, while a
 * server checks a new password rarely.
 */
let checker: Promise<ZxcvbnFactory> | undefined;

async function loadChecker(): Promise<ZxcvbnFactory> {
  const [{ ZxcvbnFactory }, { adjacencyGraphs, dictionary }] = await Promise.all([
    import("@zxcvbn-ts/core"),
    import("@zxcvbn-ts/language-common"),
  ]);
  return new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
}

/**
 * Why a new password is refused, as a sentence for the person choosing it, or null when it is
 * strong enough. `personal` (email, names) counts as guessable: a password made of them is weak.
 * Runs offline: zxcvbn-ts with its common-password and common-name dictionaries.
 */
export async function passwordWeakness(
  password: string,
  personal: readonly (string | null | undefined)[],
): Promise<string | null> {
  if (password.trim() === "") return "A password cannot be made of spaces only.";
  if (INVISIBLE.test(password))
    return "A password cannot contain invisible or control characters (such as zero-width spaces).";
  checker ??= loadChecker();
  // "amina.benali@example.dz" also counts as "amina" and "benali".
  const inputs = personal
    .filter((value): value is string => Boolean(value))
    .flatMap((value) => [value, ...(value.split("@")[0]?.split(/[._+-]/) ?? [])])
    .map((value) => value.toLowerCase());
  const { score } = (await checker).check(password, inputs);
  if (score >= MIN_PASSWORD_SCORE) return null;
  return "This password is too easy to guess: it is common, a simple pattern, or close to your name or email. Use a longer phrase of several unrelated words.";
}
