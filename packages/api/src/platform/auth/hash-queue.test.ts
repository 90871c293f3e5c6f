import { describe, expect, test } from "vitest";
import { queueHashing } from "./hash-queue.ts";
import type { PasswordHasher } from "./passwords.ts";

/** A hasher whose calls finish only when the test says so, counting how many run at once. */
function heldHasher() {
  const held: (() => void)[] = [];
  const state = { running: 0, mostAtOnce: 0, started: 0 };
  const hold = <T>(value: T) => {
    state.started += 1;
    state.running += 1;
    state.mostAtOnce = Math.max(state.mostAtOnce, state.running);
    return new Promise<T>((resolve) =>
      held.push(() => {
        state.running -= 1;
        resolve(value);
      }),
    );
  };
  const hasher: PasswordHasher = {
    hash: (password) => hold(`hash:${password}`),
    verify: (encodedHash, password) => hold(encodedHash === `hash:${password}`),
  };
  /** Lets the oldest running call finish, then lets the queue move on. */
  async function finishOne() {
    held.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { hasher, state, finishOne };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("queued hashing", () => {
  test("runs at most `concurrency` calls at once; the others wait their turn and all answer", async () => {
    const { hasher, state, finishOne } = heldHasher();
    const queued = queueHashing(hasher, { concurrency: 2, queue: 10 });
    const calls = [
      queued.verify("hash:a", "a"),
      queued.hash("b"),
      queued.verify("hash:c", "wrong"),
      queued.verify("hash:d", "d"),
      queued.hash("e"),
    ];
    await settle();
    expect(state).toMatchObject({ running: 2, started: 2 });
    for (let i = 0; i < calls.length; i++) await finishOne();
    expect(await Promise.all(calls)).toEqual([true, "hash:b", false, true, "hash:e"]);
    expect(state).toMatchObject({ mostAtOnce: 2, started: 5, running: 0 });
  });

  test("refuses with RATE_LIMITED when the queue is full, and takes calls again once it drains", async () => {
    const { hasher, state, finishOne } = heldHasher();
    const queued = queueHashing(hasher, { concurrency: 1, queue: 2 });
    const accepted = [
      queued.verify("hash:a", "a"),
      queued.verify("hash:b", "b"),
      queued.verify("hash:c", "c"),
    ];
    await expect(queued.verify("hash:d", "d")).rejects.toMatchObject({
      code: "RATE_LIMITED",
      details: { retryAfterSeconds: 1 },
    });
    expect(state.started).toBe(1);
    for (let i = 0; i < accepted.length; i++) await finishOne();
    expect(await Promise.all(accepted)).toEqual([true, true, true]);
    const later = queued.verify("hash:e", "e");
    await finishOne();
    expect(await later).toBe(true);
    expect(state.mostAtOnce).toBe(1);
  });

  test("a failing call frees its turn", async () => {
    let calls = 0;
    const failing: PasswordHasher = {
      hash: () => Promise.reject(new Error("boom")),
      verify: async () => {
        calls += 1;
        return true;
      },
    };
    const queued = queueHashing(failing, { concurrency: 1, queue: 0 });
    await expect(queued.hash("x")).rejects.toThrow("boom");
    await expect(queued.verify("h", "x")).resolves.toBe(true);
    expect(calls).toBe(1);
  });
});
