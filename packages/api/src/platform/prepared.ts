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

/** What decides a statement's text: a few enums and flags, never a value a client sends. */
export type StatementShape = Readonly<Record<string, string | boolean | null>>;

/**
 * A family of statements whose text depends on a few choices (a role, a sort, which filters are
 * set), each prepared once per database and shape with placeholders for every value: a busy list
 * then costs no query building in Node, and PostgreSQL parses and plans each text once per
 * connection instead of at every request (docs/decisions/0030). A shape is made of enums and
 * flags only, so the family stays small however clients vary their requests.
 */
export function preparedPerShape<Shape extends StatementShape, Statement>(
  family: string,
  build: (db: Database, shape: Shape, name: string) => Statement,
): (db: Database, shape: Shape) => Statement {
  const built = new WeakMap<Database, Map<string, Statement>>();
  return (db, shape) => {
    const name = `${family}:${Object.entries(shape)
      .map(([key, value]) => `${key}=${value}`)
      .join(",")}`;
    let statements = built.get(db);
    if (!statements) {
      statements = new Map();
      built.set(db, statements);
    }
    let statement = statements.get(name);
    if (!statement) {
      statement = build(db, shape, name);
      statements.set(name, statement);
    }
    return statement;
  };
}
