import type { Deps } from "#platform/deps.ts";
import type { Caller } from "./caller.ts";

/** What a caller gets: success, or the tRPC error code. */
export type Verdict = "ok" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "BAD_REQUEST";

export interface AccessCase<World, Who extends string> {
  /** The dotted tRPC path ("patients.get"); the router walk checks every protected one has a case. */
  procedure: string;
  /** What the row is about, when one procedure has several cases. */
  name?: string;
  call(caller: Caller, world: World): Promise<unknown>;
  /**
   * The callers the procedure lets past its role check, with what each gets. A caller left out
   * gets the default (`expectedVerdict`), so a row names only what differs from "refused".
   */
  expect: Partial<Record<Who, Verdict>>;
}

/** What `who` must get from a case: as the row says, else `anonymous` UNAUTHORIZED, anyone else FORBIDDEN. */
export function expectedVerdict<Who extends string>(
  accessCase: { expect: Partial<Record<Who, Verdict>> },
  who: Who,
): Verdict {
  return accessCase.expect[who] ?? (who === "anonymous" ? "UNAUTHORIZED" : "FORBIDDEN");
}

/**
 * A domain's cross-tenant table: the world it builds (rows owned by someone), the callers
 * (anonymous, the owner, another user of the same role, each other role) and, per protected
 * procedure, what each caller must get. A row out of the caller's reach is NOT_FOUND, never
 * FORBIDDEN; a role without the right is FORBIDDEN; nobody signed in is UNAUTHORIZED (the last two
 * are the defaults a case leaves out). The shared callers are in access-callers.ts.
 */
export interface AccessTable<World, Who extends string> {
  domain: string;
  /** A fresh world per case, so a case that changes it cannot affect another. */
  world(deps: Deps): Promise<World>;
  callers: Record<Who, (deps: Deps, world: World) => Promise<Caller>>;
  cases: AccessCase<World, Who>[];
}

/** Declares a table with its types inferred; `access.cases.ts` of each domain exports one. */
export function defineAccessTable<World, Who extends string>(
  table: AccessTable<World, Who>,
): AccessTable<World, Who> {
  return table;
}
