import { fillPlaceholders } from "drizzle-orm";

/**
 * A prepared statement's text with its placeholders bound to `values`, as the database receives
 * it: for a test that EXPLAINs what a service sends (platform/prepared.ts).
 */
export function boundStatement(
  statement: { toSQL(): { sql: string; params: unknown[] } },
  values: Record<string, unknown>,
) {
  return {
    toSQL() {
      const { sql, params } = statement.toSQL();
      return { sql, params: fillPlaceholders(params, values) };
    },
  };
}
