import { readdir } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { procedureMetas } from "#platform/procedure-meta.ts";
import { callerFor } from "#testing/caller.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { appRouter } from "./root.ts";

/**
 * Walks the whole router: every procedure an anonymous caller is refused (401) is protected, and
 * every protected procedure must have a row in its domain's cross-tenant table
 * (`domains/<domain>/access.cases.ts`, or `<router>.access.cases.ts` for a domain with several
 * routers), so a new procedure cannot ship without its access cases.
 */
const file = useFileDeps();

const paths = Object.keys(appRouter._def.procedures);
const metas = procedureMetas(appRouter);

async function coveredByTables(): Promise<Map<string, string>> {
  const covered = new Map<string, string>();
  const domainsDir = new URL("./domains/", import.meta.url);
  for (const domain of await readdir(domainsDir)) {
    // access.cases.ts, or one table per router of a domain (calendar.access.cases.ts).
    const files = (await readdir(new URL(`${domain}/`, domainsDir))).filter((name) =>
      /(^|\.)access\.cases\.ts$/.test(name),
    );
    for (const name of files) {
      const module: unknown = await import(new URL(`${domain}/${name}`, domainsDir).href);
      if (typeof module !== "object" || module === null || !("accessTable" in module)) continue;
      const table = module.accessTable;
      if (typeof table !== "object" || table === null || !("cases" in table) || !Array.isArray(table.cases))
        continue;
      for (const c of table.cases) covered.set(String(c.procedure), domain);
    }
  }
  return covered;
}

/** Calls a procedure anonymously with an empty input: protected ones refuse before reading input. */
async function anonymousVerdict(path: string): Promise<string> {
  const caller: unknown = callerFor(file.deps);
  let target: unknown = caller;
  for (const segment of path.split(".")) {
    target =
      typeof target === "object" || typeof target === "function"
        ? Reflect.get(target ?? {}, segment)
        : undefined;
  }
  if (typeof target !== "function") throw new Error(`no procedure at ${path}`);
  try {
    // A subscription's middlewares run at the call too, before any event.
    await target({});
    return "ok";
  } catch (error) {
    return error instanceof Error && "code" in error ? String(error.code) : "thrown";
  }
}

describe("the router walk", () => {
  test("every protected procedure has a row in a cross-tenant table, and every row names a real procedure", async () => {
    const covered = await coveredByTables();
    const missing: string[] = [];
    for (const path of paths) {
      const verdict = await anonymousVerdict(path);
      if (verdict === "UNAUTHORIZED" && !covered.has(path)) missing.push(path);
    }
    expect(missing, "protected procedures without a cross-tenant case").toEqual([]);
    const unknown = [...covered.keys()].filter((path) => !paths.includes(path));
    expect(unknown, "cases naming no procedure").toEqual([]);
  });

  test("the OpenAPI document marks exactly the protected procedures as needing a token", async () => {
    const mismatched: string[] = [];
    for (const path of paths) {
      const openapi = metas.get(path)?.openapi;
      if (!openapi) continue;
      const documentedProtected = openapi.protect !== false;
      const isProtected = (await anonymousVerdict(path)) === "UNAUTHORIZED";
      if (documentedProtected !== isProtected) mismatched.push(path);
    }
    expect(mismatched).toEqual([]);
  });
});
