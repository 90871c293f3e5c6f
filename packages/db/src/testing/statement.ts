import { type SQL, sql } from "drizzle-orm";

/**
 * Text with `$1`, `$2`… placeholders and its parameters as one SQL fragment: a statement a service
 * built (`toSQL()`) or a bare twin's driver call, run again through a test database's connection.
 */
export function statementOf(text: string, params: readonly unknown[]): SQL {
  return sql.join(
    text
      .split(/\$(\d+)/)
      .map((part, i) => (i % 2 === 0 ? sql.raw(part) : sql.param(params[Number(part) - 1]))),
  );
}
