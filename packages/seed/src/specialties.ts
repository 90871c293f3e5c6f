import { type Database, selectRows } from "@medical/db";
import { specialties } from "@medical/db/schema";
import { sql } from "drizzle-orm";
import type { SpecialtyData } from "./data/specialties.ts";

/** A text[] literal of bound parameters (drizzle spreads a plain array into a list). */
export const textArray = (values: readonly string[]) =>
  sql`array[${sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  )}]::text[]`;

/**
 * The given specialties by natural key: a name already there under other accents or case
 * ("Medecine interne") counts as present and is used as it is. Returns each wanted name's id.
 * Used by the demo set and the bulk load alike (the load links its doctors to these ten).
 */
export async function ensureSpecialties(
  db: Database,
  wanted: readonly SpecialtyData[],
): Promise<{ ids: Map<string, string>; created: number }> {
  const inserted = await db
    .insert(specialties)
    .values(wanted.map(({ name, description }) => ({ name, description })))
    .onConflictDoNothing()
    .returning({ id: specialties.id });
  const rows = await selectRows(
    db,
    sql`select s.id, w.name from ${specialties} s
        join unnest(${textArray(wanted.map((s) => s.name))}) as w(name) on s.name_key = f_search_key(w.name)`,
  );
  const ids = new Map(rows.map((row) => [String(row.name), String(row.id)]));
  const missing = wanted.filter(({ name }) => !ids.has(name));
  if (missing.length)
    throw new Error(`specialties not found after insert: ${missing.map((s) => s.name).join(", ")}`);
  return { ids, created: inserted.length };
}
