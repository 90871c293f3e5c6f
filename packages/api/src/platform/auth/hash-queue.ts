import { DomainError } from "../errors/errors.ts";
import type { PasswordHasher } from "./passwords.ts";

export interface HashQueueLimits {
  /** Hashes and verifications running at once. */
  concurrency: number;
  /** Calls that may wait for a turn; any beyond are refused. */
  queue: number;
}

/**
 * Runs at most `concurrency` hashes or verifications at once, in arrival order; when `queue`
 * calls already wait, the next is RATE_LIMITED. argon2 is built to be costly: unbounded, a burst
 * of password checks would take every core from the other requests.
 */
export function queueHashing(hasher: PasswordHasher, limits: HashQueueLimits): PasswordHasher {
  let running = 0;
  const waiting: (() => void)[] = [];

  async function run<T>(work: () => Promise<T>): Promise<T> {
    if (running < limits.concurrency) {
      running += 1;
    } else {
      if (waiting.length >= limits.queue)
        throw new DomainError("RATE_LIMITED", "Too many requests; try again in 1 seconds", {
          retryAfterSeconds: 1,
        });
      // The finishing call hands its turn over, so `running` stays as it is.
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  }

  return {
    hash: (password) => run(() => hasher.hash(password)),
    verify: (encodedHash, password) => run(() => hasher.verify(encodedHash, password)),
  };
}
