import { createDb, type DbHandle } from "@medical/db";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, inject } from "vitest";
import type { Deps } from "#platform/deps.ts";
import { errorFacts } from "#platform/errors/shape.ts";
import { makeTestDeps } from "./deps.ts";
import { useFileDeps } from "./file-deps.ts";

export interface RaceDeps {
  /** False on PGlite, which runs one transaction at a time: skip the races there. */
  readonly onPostgres: boolean;
  /** Deps over a pool of 25 connections to the file's database, so many transactions really overlap. */
  readonly deps: Deps;
}

/**
 * For races only PostgreSQL can show: the file's database (useFileDeps) and, on PostgreSQL, deps
 * over a pool of its own. Call it at a file's top level and wrap the races in
 * `describe.skipIf(!race.onPostgres)`. Vitest only, like useFileDeps.
 */
export function useRaceDeps(): RaceDeps {
  const onPostgres = inject("testDatabase").kind === "postgres";
  const file = useFileDeps();
  let pool: DbHandle | undefined;
  let deps: Deps | undefined;
  beforeAll(async () => {
    if (!onPostgres || !file.handle.url) return;
    pool = await createDb({ url: file.handle.url, maxConnections: 25 });
    deps = makeTestDeps(pool);
  });
  // Registered after useFileDeps' own: Vitest runs after-hooks last-in first-out, so the pool
  // closes before the file's database is dropped.
  afterAll(() => pool?.close());
  return {
    onPostgres,
    get deps() {
      if (!deps) throw new Error("useRaceDeps: read deps inside a test on PostgreSQL, after beforeAll");
      return deps;
    },
  };
}

/**
 * What a call came to: "ok", or the app code a client would read (SLOT_TAKEN, VALIDATION_FAILED…);
 * anything but a TRPCError as text, so a tally shows it instead of hiding it.
 */
export function outcome(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => "ok",
    (error: unknown) => (error instanceof TRPCError ? errorFacts(error).appCode : String(error)),
  );
}

/** Each call's outcome, in order, once all have settled. */
export function outcomes(calls: Promise<unknown>[]): Promise<string[]> {
  return Promise.all(calls.map(outcome));
}

/** How many times each outcome came, by outcome in alphabetical order: `{ SLOT_TAKEN: 59, ok: 1 }`. */
export const tally = (codes: string[]): Record<string, number> =>
  Object.fromEntries(
    [...new Set(codes)].sort().map((code) => [code, codes.filter((c) => c === code).length]),
  );
