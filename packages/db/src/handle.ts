import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { QueryObserver } from "./observe.ts";
import * as schema from "./schema/index.ts";

/** One type for both drivers: services never know which database they run on. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
export type DatabaseKind = "pglite" | "postgres";

export interface DbHandle {
  readonly db: Database;
  readonly kind: DatabaseKind;
  /** Connections `db` may hold at once (PGlite has one). */
  readonly maxConnections: number;
  /** Reports every statement of `db` to `observer` from now on (the server's metrics). */
  observeQueries(observer: QueryObserver): void;
  /** Applies the SQL migrations of `drizzle/`, serialised across processes by an advisory lock. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export const drizzleOptions = { schema, casing: "snake_case" } as const;
// Any fixed 64-bit key shared by every instance of this application.
export const MIGRATION_LOCK_KEY = 0x6d65646963616cn;
export const quiet = () => {};
