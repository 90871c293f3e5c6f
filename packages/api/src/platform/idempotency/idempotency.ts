import { createHash } from "node:crypto";
import type { Executor } from "@medical/db";
import { idempotencyKeys } from "@medical/db/schema";
import { and, eq, lt, or, sql } from "drizzle-orm";
import superjson from "superjson";
import { z } from "zod";
import type { CipherContext } from "../crypto/field-cipher.ts";
import type { Deps } from "../deps.ts";
import {
  type AppErrorCode,
  type AppErrorData,
  appErrors,
  DomainError,
  InvalidInputError,
  invalidField,
} from "../errors/errors.ts";
import type { InputIssue } from "../errors/issues.ts";

/**
 * `Idempotency-Key` for writes a client may retry (docs/decisions/0021-idempotency.md): the first
 * request with a key runs; a retry with the same key and the same request within 24 hours gets the
 * first one's answer (a success, or a 4xx other than 429) without running again; the same key with
 * another request is 422 IDEMPOTENCY_MISMATCH; a retry while the first still runs is 409
 * IDEMPOTENCY_IN_PROGRESS. Keys are scoped to the user and the operation.
 */

/** How long an answer is kept and replayed. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60_000;
/**
 * How long a request holds its key before a retry may take it over: a request that died without
 * answering (a crash, a lost connection to the database) committed nothing, since its answer is
 * stored in the transaction of its effects, so running the retry is safe. Far above a booking's
 * duration and the server's REQUEST_TIMEOUT.
 */
export const IDEMPOTENCY_LEASE_MS = 60_000;
/** Expired keys purged per new key: enough to keep up with any rate of new keys. */
const PURGE_BATCH = 100;

/** Visible ASCII, 1–255 characters: a UUID, a ULID or any client's own scheme. */
export const ZIdempotencyKey = z
  .string()
  .regex(/^[\x21-\x7E]{1,255}$/, "Expected 1 to 255 visible ASCII characters")
  .meta({
    description:
      "Makes the request safe to retry: a retry with the same key within 24 hours gets the first answer without a second effect (a UUID per operation is a good key)",
  });

/** `Idempotency-Key` as the REST document shows it on an operation (tRPC callers pass `idempotencyKey`). */
export const ZIdempotencyHeader = z.object({ "Idempotency-Key": ZIdempotencyKey.optional() });

/** What an idempotent operation's input schema says of its key: one field, two ways to send it. */
export const KEY_TRANSPORTS =
  "Over REST send the idempotency key as the `Idempotency-Key` header; over tRPC as `idempotencyKey`";

/** The refusals an idempotent operation adds to its own, for its route's `errors`. */
export const IDEMPOTENCY_ERRORS = [
  "IDEMPOTENCY_IN_PROGRESS",
  "IDEMPOTENCY_MISMATCH",
] as const satisfies readonly AppErrorCode[];

/**
 * What an idempotent operation's REST description says of its key; `effect` is what a retry does
 * not do again ("books nothing more").
 */
export const idempotencyNote = (effect: string) =>
  `Send an \`Idempotency-Key\` header to retry safely: a retry within 24 hours gets the first answer (status and body, with \`Idempotent-Replayed: true\`) and ${effect}; the same key with another body is 422 IDEMPOTENCY_MISMATCH, and while the first request runs, 409 IDEMPOTENCY_IN_PROGRESS.`;

/** One idempotent call: whose, which operation, its key, and the request that key stands for. */
export interface IdempotentCall<T> {
  userId: string;
  /** A stable name: `appointments.book`. */
  operation: string;
  key: string;
  /** The parsed request without the key; another request under the same key is a mismatch. */
  request: unknown;
  /** The answer's schema: a replayed answer is read back through it. */
  output: z.ZodType<T>;
  /** The success status the answer is stored with (201 for a creation). */
  successStatus: number;
  /** Told when the answer is a replay (the REST mirror sets `Idempotent-Replayed: true`). */
  onReplay?: () => void;
}

/**
 * Stores the answer in the work's own transaction, so the effect and its answer commit together:
 * a request that dies after committing is answered from the store, never run twice.
 */
export type Seal<T> = (tx: Executor, value: T) => Promise<void>;

/** Codes whose answer carries no `data`: the only errors stored (a 4xx with data would be a 429). */
type PlainCode = { [C in AppErrorCode]: [AppErrorData<C>] extends [never] ? C : never }[AppErrorCode];

function isPlainCode(code: string): code is PlainCode {
  return Object.entries(appErrors).some(([name, spec]) => name === code && !("data" in spec));
}

/** What is stored, encrypted: a success as superjson text (instants survive), or a refusal. */
const ZStoredAnswer = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("value"), value: z.string() }),
  z.object({
    kind: z.literal("error"),
    code: z.string().refine(isPlainCode),
    message: z.string(),
    issues: z
      .array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() }))
      .optional(),
  }),
]);
type StoredAnswer = z.infer<typeof ZStoredAnswer>;

/** 2xx and 4xx answers are stored; a 429 (try later) or a 5xx lets a retry run again. */
function storedError(error: unknown): { answer: StoredAnswer; status: number } | undefined {
  if (!(error instanceof DomainError)) return undefined;
  const code: AppErrorCode = error.code;
  const { status } = appErrors[code];
  if (status < 400 || status >= 500 || status === 429 || !isPlainCode(code)) return undefined;
  const issues: InputIssue[] | undefined = error instanceof InvalidInputError ? error.issues : undefined;
  return { answer: { kind: "error", code, message: error.message, ...(issues ? { issues } : {}) }, status };
}

function replayedError(code: string, message: string, issues: InputIssue[] | undefined): DomainError {
  const [first, ...rest] = issues ?? [];
  if (code === "VALIDATION_FAILED" && first) return new InvalidInputError([first, ...rest]);
  return isPlainCode(code) ? new DomainError(code, message) : new DomainError("INTERNAL");
}

/** Canonical JSON (object keys sorted, instants as ISO text): equal requests hash equal. */
function fingerprint(request: unknown): string {
  const canonical = JSON.stringify(request, (_key, value: unknown) =>
    typeof value === "object" && value !== null && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
  return createHash("sha256")
    .update(canonical ?? "")
    .digest("hex");
}

/**
 * Where a stored answer lives, bound into its ciphertext. Answers can hold PHI (an appointment's
 * reason), so they are encrypted at rest like the fields they repeat.
 */
export const storedAnswerContext = (row: {
  userId: string;
  operation: string;
  key: string;
}): CipherContext => ({
  table: "idempotency_keys",
  column: "response_body",
  rowId: JSON.stringify([row.userId, row.operation, row.key]),
});

type IdempotencyDeps = Pick<Deps, "db" | "clock" | "fieldCipher">;

/**
 * Runs `work` once per key: see the module comment. `call` null (no key sent) runs it as is. The
 * work calls `seal(tx, value)` in the transaction of its effects; one that returns without sealing
 * is sealed after it.
 */
export async function idempotent<T>(
  deps: IdempotencyDeps,
  call: IdempotentCall<T> | null,
  work: (seal: Seal<T>) => Promise<T>,
): Promise<T> {
  if (!call) return work(async () => undefined);
  const requestHash = fingerprint(call.request);
  const held = await claim(deps, call, requestHash);
  if (held.kind === "replay") return held.value;
  const mine = and(
    eq(idempotencyKeys.userId, call.userId),
    eq(idempotencyKeys.operation, call.operation),
    eq(idempotencyKeys.key, call.key),
    eq(idempotencyKeys.state, "IN_PROGRESS"),
    eq(idempotencyKeys.createdAt, held.claimedAt),
  );
  const store = async (db: Executor, answer: StoredAnswer, status: number): Promise<boolean> => {
    const body = deps.fieldCipher.encrypt(JSON.stringify(answer), storedAnswerContext(call));
    const stored = await db
      .update(idempotencyKeys)
      .set({ state: "DONE", responseStatus: status, responseBody: body })
      .where(mine)
      .returning({ key: idempotencyKeys.key });
    return stored.length === 1;
  };
  const success = (value: T): StoredAnswer => ({ kind: "value", value: superjson.stringify(value) });
  let sealed = false;
  const seal: Seal<T> = async (tx, value) => {
    // Lost only to a retry that took over after the lease: refuse to commit a second effect.
    if (!(await store(tx, success(value), call.successStatus)))
      throw new Error("idempotency key taken over by a retry after its lease");
    sealed = true;
  };
  try {
    const value = await work(seal);
    if (!sealed) await store(deps.db, success(value), call.successStatus);
    return value;
  } catch (error) {
    const refusal = storedError(error);
    const settle = refusal
      ? store(deps.db, refusal.answer, refusal.status)
      : deps.db.delete(idempotencyKeys).where(mine);
    // If this fails too (the database is gone), the lease frees the key for a retry.
    await settle.catch(() => undefined);
    throw error;
  }
}

type Held<T> = { kind: "claimed"; claimedAt: Date } | { kind: "replay"; value: T };

/**
 * Takes the key for this request (a new key, an expired one, or one whose holder's lease ran out
 * on the same request); or answers from the store (a stored refusal is thrown); or refuses.
 */
async function claim<T>(
  deps: IdempotencyDeps,
  call: IdempotentCall<T>,
  requestHash: string,
): Promise<Held<T>> {
  const key = and(
    eq(idempotencyKeys.userId, call.userId),
    eq(idempotencyKeys.operation, call.operation),
    eq(idempotencyKeys.key, call.key),
  );
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const now = deps.clock.now();
    const expired = new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS);
    const leaseEnded = new Date(now.getTime() - IDEMPOTENCY_LEASE_MS);
    const [claimed] = await deps.db
      .insert(idempotencyKeys)
      .values({ userId: call.userId, operation: call.operation, key: call.key, requestHash, createdAt: now })
      .onConflictDoUpdate({
        target: [idempotencyKeys.userId, idempotencyKeys.operation, idempotencyKeys.key],
        set: { requestHash, state: "IN_PROGRESS", responseStatus: null, responseBody: null, createdAt: now },
        setWhere: or(
          lt(idempotencyKeys.createdAt, expired),
          and(
            eq(idempotencyKeys.state, "IN_PROGRESS"),
            lt(idempotencyKeys.createdAt, leaseEnded),
            eq(idempotencyKeys.requestHash, requestHash),
          ),
        ),
      })
      .returning({ createdAt: idempotencyKeys.createdAt });
    if (claimed) {
      await purgeExpired(deps.db, expired);
      return { kind: "claimed", claimedAt: claimed.createdAt };
    }
    const [held] = await deps.db.select().from(idempotencyKeys).where(key);
    // Gone between the two statements (its request failed and released it): claim again.
    if (!held) continue;
    if (held.requestHash !== requestHash) throw new DomainError("IDEMPOTENCY_MISMATCH");
    if (held.state === "IN_PROGRESS" || typeof held.responseBody !== "string")
      throw new DomainError("IDEMPOTENCY_IN_PROGRESS");
    const answer = ZStoredAnswer.parse(
      JSON.parse(deps.fieldCipher.decrypt(held.responseBody, storedAnswerContext(held))),
    );
    call.onReplay?.();
    if (answer.kind === "error") throw replayedError(answer.code, answer.message, answer.issues);
    return { kind: "replay", value: call.output.parse(superjson.parse(answer.value)) };
  }
  throw new DomainError("IDEMPOTENCY_IN_PROGRESS");
}

/** Expired keys, oldest first, a batch at a time; rows another purge holds are skipped. */
async function purgeExpired(db: Executor, expired: Date): Promise<void> {
  const k = idempotencyKeys;
  await db.execute(sql`delete from ${k} where (${k.userId}, ${k.operation}, ${k.key}) in (
    select ${k.userId}, ${k.operation}, ${k.key} from ${k} where ${lt(k.createdAt, expired)}
    order by ${k.createdAt} limit ${PURGE_BATCH} for update skip locked)`);
}

/** What a procedure knows of an idempotent call besides its key. */
export interface IdempotentProcedureCall<T> extends Omit<IdempotentCall<T>, "userId" | "key" | "onReplay"> {
  /** The tRPC input's `idempotencyKey`. */
  inputKey: string | undefined;
}

/**
 * The call's key from the REST `Idempotency-Key` header (on the context) or the tRPC input's
 * `idempotencyKey` (both sent: they must agree); null without one. A replay marks the context's
 * route, so the REST answer says `Idempotent-Replayed: true`.
 */
export function idempotentCallOf<T>(
  ctx: { idempotencyKey: string | null; route: { replayed?: boolean }; actor: { userId: string } },
  call: IdempotentProcedureCall<T>,
): IdempotentCall<T> | null {
  const { inputKey, ...rest } = call;
  let key = inputKey;
  if (ctx.idempotencyKey !== null) {
    const header = ZIdempotencyKey.safeParse(ctx.idempotencyKey);
    if (!header.success)
      throw invalidField(["Idempotency-Key"], header.error.issues[0]?.message ?? "Not a valid key");
    if (key !== undefined && key !== header.data)
      throw invalidField(["idempotencyKey"], "Differs from the Idempotency-Key header: send one of them");
    key = header.data;
  }
  if (key === undefined) return null;
  return {
    ...rest,
    userId: ctx.actor.userId,
    key,
    onReplay: () => {
      ctx.route.replayed = true;
    },
  };
}
