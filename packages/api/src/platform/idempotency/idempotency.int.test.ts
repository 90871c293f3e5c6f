import { idempotencyKeys } from "@medical/db/schema";
import { and, eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { TEST_ENCRYPTION_KEY } from "#testing/deps.ts";
import { makeUser } from "#testing/factories/users.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { createFieldCipher } from "../crypto/field-cipher.ts";
import { DomainError, invalidField } from "../errors/errors.ts";
import {
  IDEMPOTENCY_LEASE_MS,
  IDEMPOTENCY_WINDOW_MS,
  type IdempotentCall,
  idempotent,
  idempotentCallOf,
} from "./idempotency.ts";
import { rotateStoredAnswers } from "./rotate.ts";

let now = new Date("2026-06-01T08:00:00.000Z");
const file = useFileDeps({ clock: { now: () => now } });

const ZAnswer = z.object({ n: z.number(), at: z.date(), secret: z.string() });
type Answer = z.infer<typeof ZAnswer>;

async function callFor(request: unknown = { slot: 1 }, overrides: Partial<IdempotentCall<Answer>> = {}) {
  const user = overrides.userId ? undefined : await makeUser(file.db);
  return {
    userId: user?.id ?? "",
    operation: "tests.create",
    key: `key-${crypto.randomUUID()}`,
    request,
    output: ZAnswer,
    successStatus: 201,
    ...overrides,
  } satisfies IdempotentCall<Answer>;
}

/** Work that counts its runs and answers `{ n: run }`, sealed in a transaction of its own. */
function counter() {
  const runs = { count: 0 };
  const work = async (seal: (tx: typeof file.db, value: Answer) => Promise<void>): Promise<Answer> => {
    runs.count += 1;
    const value = { n: runs.count, at: new Date("2026-12-01T08:30:00.000Z"), secret: "Douleurs thoraciques" };
    await file.db.transaction((tx) => seal(tx, value));
    return value;
  };
  return { runs, work };
}

const storedRow = (call: IdempotentCall<Answer>) =>
  file.db
    .select()
    .from(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.userId, call.userId),
        eq(idempotencyKeys.operation, call.operation),
        eq(idempotencyKeys.key, call.key),
      ),
    );

describe("an idempotent call", () => {
  test("runs once per key: a retry gets the stored answer, instants included, and is told it is a replay", async () => {
    const call = await callFor();
    const { runs, work } = counter();
    const first = await idempotent(file.deps, call, work);
    let replayed = false;
    const again = await idempotent(file.deps, { ...call, onReplay: () => (replayed = true) }, work);
    expect(again).toEqual(first);
    expect(again.at).toBeInstanceOf(Date);
    expect(runs.count).toBe(1);
    expect(replayed).toBe(true);
    const [row] = await storedRow(call);
    expect(row).toMatchObject({ state: "DONE", responseStatus: 201 });
    // Answers can carry PHI: encrypted at rest.
    expect(JSON.stringify(row?.responseBody)).not.toContain("Douleurs");
  });

  test("without a key runs every time", async () => {
    const { runs, work } = counter();
    await idempotent(file.deps, null, work);
    await idempotent(file.deps, null, work);
    expect(runs.count).toBe(2);
  });

  test("the same key with another request is IDEMPOTENCY_MISMATCH; equal requests hash equal whatever their key order", async () => {
    const call = await callFor({ a: 1, b: { c: 2, d: new Date("2026-12-01T08:30:00Z") } });
    const { runs, work } = counter();
    await idempotent(file.deps, call, work);
    await idempotent(
      file.deps,
      { ...call, request: { b: { d: new Date("2026-12-01T08:30:00Z"), c: 2 }, a: 1 } },
      work,
    );
    expect(runs.count).toBe(1);
    await expect(idempotent(file.deps, { ...call, request: { a: 2 } }, work)).rejects.toMatchObject({
      code: "IDEMPOTENCY_MISMATCH",
    });
  });

  test("a retry while the first request runs is IDEMPOTENCY_IN_PROGRESS, then gets its answer", async () => {
    const call = await callFor();
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { runs, work } = counter();
    const first = idempotent(file.deps, call, async (seal) => {
      await gate;
      return work(seal);
    });
    await expect.poll(async () => (await storedRow(call)).length).toBe(1);
    await expect(idempotent(file.deps, call, work)).rejects.toMatchObject({
      code: "IDEMPOTENCY_IN_PROGRESS",
    });
    release();
    const answer = await first;
    await expect(idempotent(file.deps, call, work)).resolves.toEqual(answer);
    expect(runs.count).toBe(1);
  });

  test("stores a 4xx refusal (validation issues included) and replays it without running again", async () => {
    const call = await callFor();
    let runs = 0;
    const refuse = async (): Promise<Answer> => {
      runs += 1;
      throw new DomainError("SLOT_TAKEN", "Taken at the first try");
    };
    await expect(idempotent(file.deps, call, refuse)).rejects.toMatchObject({ code: "SLOT_TAKEN" });
    await expect(idempotent(file.deps, call, counter().work)).rejects.toMatchObject({
      code: "SLOT_TAKEN",
      message: "Taken at the first try",
    });
    expect(runs).toBe(1);
    expect((await storedRow(call))[0]?.responseStatus).toBe(409);

    const invalid = await callFor();
    const badInput = async (): Promise<Answer> => {
      throw invalidField(["startsAt"], "not a slot");
    };
    await expect(idempotent(file.deps, invalid, badInput)).rejects.toBeDefined();
    await expect(idempotent(file.deps, invalid, counter().work)).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      issues: [{ path: ["startsAt"], message: "not a slot" }],
    });
  });

  test("stores neither a 429 nor an unexpected failure: the retry runs again", async () => {
    for (const failure of [
      new DomainError("RATE_LIMITED", "Slow down", { retryAfterSeconds: 1 }),
      new Error("connection reset"),
    ]) {
      const call = await callFor();
      await expect(
        idempotent(file.deps, call, async () => {
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await storedRow(call)).toEqual([]);
      const { runs, work } = counter();
      await idempotent(file.deps, call, work);
      expect(runs.count).toBe(1);
    }
  });

  test("is scoped to the user and the operation", async () => {
    const call = await callFor();
    const { runs, work } = counter();
    await idempotent(file.deps, call, work);
    const otherUser = await makeUser(file.db);
    await idempotent(file.deps, { ...call, userId: otherUser.id, request: { other: true } }, work);
    await idempotent(file.deps, { ...call, operation: "tests.other", request: { other: true } }, work);
    expect(runs.count).toBe(3);
  });

  test("forgets an answer after 24 hours, and purges expired keys", async () => {
    const call = await callFor();
    const stale = await callFor();
    const { runs, work } = counter();
    await idempotent(file.deps, call, work);
    await idempotent(file.deps, stale, work);
    const start = now;
    now = new Date(start.getTime() + IDEMPOTENCY_WINDOW_MS + 1);
    try {
      await idempotent(file.deps, { ...call, request: { changed: true } }, work);
      expect(runs.count).toBe(3);
      expect(await storedRow(stale)).toEqual([]);
    } finally {
      now = start;
    }
  });

  test("a request that died holding its key: past the lease a retry takes over, and the late one cannot commit", async () => {
    const call = await callFor();
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const late = idempotent(file.deps, call, async (seal) => {
      await gate;
      return counter().work(seal);
    });
    await expect.poll(async () => (await storedRow(call)).length).toBe(1);
    const start = now;
    now = new Date(start.getTime() + IDEMPOTENCY_LEASE_MS + 1);
    try {
      const { runs, work } = counter();
      await expect(idempotent(file.deps, { ...call, request: { other: 1 } }, work)).rejects.toMatchObject({
        code: "IDEMPOTENCY_MISMATCH",
      });
      const retried = await idempotent(file.deps, call, work);
      expect(runs.count).toBe(1);
      release();
      await expect(late).rejects.toThrow(/taken over/);
      await expect(idempotent(file.deps, call, counter().work)).resolves.toEqual(retried);
    } finally {
      now = start;
    }
  });
});

describe("the key of a procedure call", () => {
  const ctx = (header: string | null) => {
    const route: { replayed?: boolean } = {};
    return { idempotencyKey: header, route, actor: { userId: "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9" } };
  };
  const call = { operation: "tests.create", request: {}, output: ZAnswer, successStatus: 201 };

  test("comes from the header or the input, which must agree; a malformed header is a 400 naming it", () => {
    expect(idempotentCallOf(ctx(null), { ...call, inputKey: undefined })).toBeNull();
    expect(idempotentCallOf(ctx("abc"), { ...call, inputKey: undefined })?.key).toBe("abc");
    expect(idempotentCallOf(ctx(null), { ...call, inputKey: "xyz" })?.key).toBe("xyz");
    expect(idempotentCallOf(ctx("abc"), { ...call, inputKey: "abc" })?.key).toBe("abc");
    expect(() => idempotentCallOf(ctx("abc"), { ...call, inputKey: "xyz" })).toThrow(/idempotencyKey/);
    expect(() => idempotentCallOf(ctx("a b"), { ...call, inputKey: undefined })).toThrow(DomainError);
    expect(() => idempotentCallOf(ctx("x".repeat(256)), { ...call, inputKey: undefined })).toThrow(
      /Idempotency-Key/,
    );
  });

  test("marks the route as replayed when the answer is a replay", () => {
    const context = ctx("abc");
    idempotentCallOf(context, { ...call, inputKey: undefined })?.onReplay?.();
    expect(context.route.replayed).toBe(true);
  });
});

describe("pnpm keys:rotate on stored answers", () => {
  test("re-encrypts them under the new key; a replay still answers", async () => {
    const call = await callFor();
    const { runs, work } = counter();
    const answer = await idempotent(file.deps, call, work);
    const rotating = createFieldCipher([{ id: "new1", key: Buffer.alloc(32, 3) }, TEST_ENCRYPTION_KEY]);
    const counts = await rotateStoredAnswers({ db: file.db, fieldCipher: rotating }, { batchSize: 1 });
    expect(counts.rotated).toBeGreaterThanOrEqual(1);
    expect(counts).toMatchObject({ skipped: 0, unreadable: 0 });
    const onlyNew = createFieldCipher([{ id: "new1", key: Buffer.alloc(32, 3) }]);
    await expect(idempotent({ ...file.deps, fieldCipher: onlyNew }, call, work)).resolves.toEqual(answer);
    expect(runs.count).toBe(1);
  });
});
