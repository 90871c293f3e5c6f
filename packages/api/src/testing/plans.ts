import { type Database, type Executor, selectRows } from "@medical/db";
import { statementOf } from "@medical/db/testing";
import { type SQL, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { expect } from "vitest";

/**
 * What the index tests share: EXPLAIN of exactly the statement a service sends, generated
 * accounts, and a list walked page by page as a client walks it. Vitest only (the statement's
 * round trip is asserted), like useFileDeps.
 */

/** A statement as a service builds it: `toSQL()` gives its text and parameters. */
export interface Statement {
  toSQL(): { sql: string; params: unknown[] };
}

/** The statement's own text and parameters, as a SQL fragment; re-rendered, it is the same text. */
export function sent(statement: Statement): SQL {
  const { sql: text, params } = statement.toSQL();
  const fragment = statementOf(text, params);
  expect(new PgDialect().sqlToQuery(fragment)).toMatchObject({ sql: text, params });
  return fragment;
}

/**
 * EXPLAIN's lines, one per plan node. With `analyze` the statement runs, and each node says how
 * many rows it gave or that it never ran (costs and timings left out: they differ at every run).
 */
export async function explainLines(
  db: Executor,
  statement: Statement,
  { analyze = false } = {},
): Promise<string[]> {
  const explain = analyze ? sql`explain (analyze, costs off, timing off)` : sql`explain`;
  const lines = await selectRows(db, sql`${explain} ${sent(statement)}`);
  return lines.map((line) => String(line["QUERY PLAN"]));
}

/**
 * Accounts with profiles straight in SQL, numbered `first` to `last`, emailed
 * `<prefix>.<doctor|patient>.<n>@example.dz` so a test can find one by number: doctors in Alger,
 * patients born 1990-04-12.
 */
export async function generateAccounts(
  db: Database,
  prefix: string,
  which: { doctors: [first: number, last: number]; patients: [first: number, last: number] },
): Promise<void> {
  const [firstDoctor, lastDoctor] = which.doctors;
  const [firstPatient, lastPatient] = which.patients;
  await db.execute(sql`
    with u as (
      insert into users (email, role, first_name, last_name)
      select ${prefix}::text || '.doctor.' || g || '@example.dz', 'DOCTOR', 'Karim', 'Index ' || g
      from generate_series(${firstDoctor}::int, ${lastDoctor}::int) g returning id)
    insert into doctors (user_id, city, fee_amount_minor) select id, 'Alger', 200000 from u`);
  await db.execute(sql`
    with u as (
      insert into users (email, role, first_name, last_name)
      select ${prefix}::text || '.patient.' || g || '@example.dz', 'PATIENT', 'Amina', 'Index ' || g
      from generate_series(${firstPatient}::int, ${lastPatient}::int) g returning id)
    insert into patients (user_id, date_of_birth) select id, '1990-04-12' from u`);
}

/** The cursor of page `n` of a list, `nextOf` giving the next page's cursor from one page's. */
export async function cursorOfPage(
  n: number,
  nextOf: (cursor: string | undefined) => Promise<string | null | undefined>,
): Promise<string> {
  let cursor: string | undefined;
  for (let page = 1; page < n; page++) {
    const next = await nextOf(cursor);
    if (!next) throw new Error(`the list ends before page ${n}`);
    cursor = next;
  }
  return cursor ?? "";
}
