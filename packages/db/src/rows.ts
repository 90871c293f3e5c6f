import type { SQL } from "drizzle-orm";
import type { Executor } from "./client.ts";

type Row = Record<string, unknown>;

function isRowArray(value: unknown): value is Row[] {
  return Array.isArray(value);
}

/**
 * Rows of a raw SQL query on either driver: postgres-js answers an array, PGlite `{ rows }`.
 * For the few statements the query builder cannot express.
 */
export async function selectRows(db: Executor, query: SQL): Promise<Row[]> {
  const result: unknown = await db.execute(query);
  if (isRowArray(result)) return result;
  if (typeof result === "object" && result !== null && "rows" in result && isRowArray(result.rows))
    return result.rows;
  return [];
}
