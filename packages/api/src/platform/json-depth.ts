import { type InvalidInputError, invalidField } from "./errors/errors.ts";

/** No input of ours nests deeper than a few levels; a hostile depth overflows recursive walkers. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether a parsed JSON value nests arrays and objects deeper than `max`. Iterative, so the check
 * itself cannot overflow the stack on the depth it is there to refuse.
 */
export function nestsDeeperThan(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
  const stack: { node: unknown; depth: number }[] = [{ node: value, depth: 0 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { node, depth } = next;
    if (typeof node !== "object" || node === null) continue;
    if (depth >= max) return true;
    for (const child of Object.values(node)) stack.push({ node: child, depth: depth + 1 });
  }
  return false;
}

/** The refusal of a too deep input, on /api/v1 and /trpc alike. */
export function tooDeep(): InvalidInputError {
  return invalidField([], `nested deeper than ${MAX_JSON_DEPTH} levels`);
}
