/**
 * A small seeded PRNG (mulberry32): the same seed gives the same demo data on every machine and
 * every Node version, which Math.random cannot promise.
 */
export interface Random {
  /** [0, 1) */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** true with probability p. */
  chance(p: number): boolean;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick<T>(items: readonly T[]): T {
      const item = items[int(0, items.length - 1)];
      if (item === undefined) throw new Error("pick from an empty list");
      return item;
    },
    chance: (p) => next() < p,
  };
}

/** `n` random decimal digits, leading zeros kept: "0412". */
export const digits = (random: Random, n: number) =>
  Array.from({ length: n }, () => random.int(0, 9)).join("");

/**
 * A number from a text, the same on every run: the demo picks per doctor–patient pair with it
 * (its reasons for visits, its records), so a pair always gets the same text.
 */
export function numberOf(text: string): number {
  let sum = 0;
  for (const char of text) sum += char.charCodeAt(0);
  return sum;
}

/** "Aït Menguellet" → "ait-menguellet": the ASCII form used in demo e-mail addresses. */
export function slug(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}
