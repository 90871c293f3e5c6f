import type { TestDatabase } from "@medical/db/testing";
import { openFileDatabase } from "@medical/db/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Deps } from "#platform/deps.ts";
import type { AccessTable } from "./access-table.ts";
import { makeTestDeps } from "./deps.ts";

/** Runs a domain's cross-tenant table: one test per (procedure case, caller). Vitest only. */
export function runAccessTable<World, Who extends string>(table: AccessTable<World, Who>): void {
  let handle: TestDatabase;
  let deps: Deps;
  beforeAll(async () => {
    handle = await openFileDatabase();
    deps = makeTestDeps(handle);
  });
  afterAll(() => handle.close());

  describe.each(
    table.cases.map((c) => ({ ...c, title: c.name ? `${c.procedure} (${c.name})` : c.procedure })),
  )(`${table.domain}: $title`, (accessCase) => {
    const callers = Object.keys(accessCase.expect).filter((who): who is Who => who in table.callers);
    test.each(callers)("as %s", async (who) => {
      const world = await table.world(deps);
      const caller = await table.callers[who](deps, world);
      const outcome = await accessCase.call(caller, world).then(
        () => "ok",
        (error: unknown) =>
          error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : error,
      );
      expect(outcome).toBe(accessCase.expect[who]);
    });
  });
}
