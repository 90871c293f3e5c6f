import postgres from "postgres";
import type { BareDatabase } from "../database.ts";
import type { BareQuery, BareTransaction } from "../scenario.ts";

export interface BareConnection {
  readonly query: BareQuery;
  readonly transaction: BareTransaction;
  close(): Promise<void>;
}

// The server's own pool size (@medical/db's default), so the baseline gets no more connections than we do.
const POOL_SIZE = 10;

export async function openBareConnection(database: BareDatabase): Promise<BareConnection> {
  if (database.kind === "postgres") {
    const sql = postgres(database.url, { max: POOL_SIZE, onnotice: () => {} });
    return {
      // `unsafe` with parameters is what drizzle's postgres-js driver sends: the same protocol
      // messages, a named statement where drizzle prepares one.
      query: async (text, params = [], options = {}) =>
        sql.unsafe(text, [...params], { prepare: options.prepared === true }),
      transaction: (work) =>
        sql.begin((tx) =>
          work(async (text, params = [], options = {}) =>
            tx.unsafe(text, [...params], { prepare: options.prepared === true }),
          ),
        ),
      close: () => sql.end({ timeout: 5 }),
    };
  }
  // Loaded only on --pglite: the PostgreSQL twin's RSS should not carry a database engine.
  const [{ PGlite }, { pgliteOptions }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("@medical/db/pglite"),
  ]);
  const pg = await PGlite.create({ dataDir: database.dir, ...pgliteOptions });
  return {
    query: async (text, params = []) => (await pg.query<Record<string, unknown>>(text, [...params])).rows,
    transaction: (work) =>
      pg.transaction((tx) =>
        work(async (text, params = []) => (await tx.query<Record<string, unknown>>(text, [...params])).rows),
      ),
    close: () => pg.close(),
  };
}
