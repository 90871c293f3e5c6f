import type { Database } from "@medical/db";

/**
 * A statement of the hot path, built once per database with drizzle's placeholders instead of
 * through the query builder at every request: CPU profiles of authenticated requests under load
 * showed query building among their largest costs.
 */
export function preparedPerDatabase<Statement>(
  build: (db: Database) => Statement,
): (db: Database) => Statement {
  const built = new WeakMap<Database, Statement>();
  return (db) => {
    let statement = built.get(db);
    if (!statement) {
      statement = build(db);
      built.set(db, statement);
    }
    return statement;
  };
}
