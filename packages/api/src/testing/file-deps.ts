import type { Database } from "@medical/db";
import type { TestDatabase } from "@medical/db/testing";
import { openFileDatabase } from "@medical/db/testing/vitest";
import { afterAll, beforeAll } from "vitest";
import type { Deps } from "#platform/deps.ts";
import { makeTestDeps, type TestDepsOptions } from "./deps.ts";

export interface FileDeps {
  /** The file's own database. */
  readonly handle: TestDatabase;
  /** Its connection (`handle.db`, the same as `deps.db`): for factories and direct reads. */
  readonly db: Database;
  /** Deps over it with the options given, made on first read (a file may need only the database). */
  readonly deps: Deps;
}

/**
 * The test file's database, opened before its tests and closed after them, and deps over it. Call
 * it at a file's (or a suite's) top level and read the getters inside tests and hooks only.
 * Vitest only, so index.ts does not export it (the seed loads index.ts).
 */
export function useFileDeps(options: TestDepsOptions = {}): FileDeps {
  let handle: TestDatabase | undefined;
  let deps: Deps | undefined;
  beforeAll(async () => {
    handle = await openFileDatabase();
  });
  afterAll(() => handle?.close());
  const opened = () => {
    if (!handle) throw new Error("useFileDeps: read it inside a test or hook, after beforeAll");
    return handle;
  };
  return {
    get handle() {
      return opened();
    },
    get db() {
      return opened().db;
    },
    get deps() {
      deps ??= makeTestDeps(opened(), options);
      return deps;
    },
  };
}
