import { describe, expect, test } from "vitest";
import { type AccessTable, expectedVerdict } from "./access-table.ts";
import { useFileDeps } from "./file-deps.ts";

/** Runs a domain's cross-tenant table: one test per (procedure case, caller). Vitest only. */
export function runAccessTable<World, Who extends string>(table: AccessTable<World, Who>): void {
  const file = useFileDeps();
  const callers = Object.keys(table.callers).filter((who): who is Who => who in table.callers);

  describe.each(
    table.cases.map((c) => ({ ...c, title: c.name ? `${c.procedure} (${c.name})` : c.procedure })),
  )(`${table.domain}: $title`, (accessCase) => {
    test.each(callers)("as %s", async (who) => {
      const world = await table.world(file.deps);
      const caller = await table.callers[who](file.deps, world);
      const outcome = await accessCase.call(caller, world).then(
        () => "ok",
        (error: unknown) =>
          error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : error,
      );
      expect(outcome).toBe(expectedVerdict(accessCase, who));
    });
  });
}
