import { type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { selectRows } from "./rows.ts";
import type { TestDatabase } from "./testing/databases.ts";
import { openFileDatabase } from "./testing/vitest.ts";

let handle: TestDatabase;
beforeAll(async () => {
  handle = await openFileDatabase();
});
afterAll(() => handle.close());

const rows = (query: SQL) => selectRows(handle.db, query);

describe(`migrations (${process.env.TEST_DB ?? "pglite"})`, () => {
  test("install the extensions the schema relies on", async () => {
    const installed = await rows(sql`select extname from pg_extension order by extname`);
    expect(installed.map((r) => r.extname)).toEqual(
      expect.arrayContaining(["btree_gist", "citext", "pg_trgm", "unaccent"]),
    );
  });

  test("are recorded, so applying them again changes nothing", async () => {
    const before = await rows(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    await handle.migrate();
    await Promise.all([handle.migrate(), handle.migrate()]);
    const after = await rows(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    expect(Number(before[0]?.n)).toBeGreaterThan(0);
    expect(after).toEqual(before);
  });

  test("provide an immutable accent- and case-insensitive search key", async () => {
    const [row] = await rows(
      sql`select f_search_key('Médecine Interne') as a, f_search_key('BÉNALI') as b, f_search_key('عبد القادر') as arabic`,
    );
    expect(row).toEqual({ a: "medecine interne", b: "benali", arabic: "عبد القادر" });
    const [volatility] = await rows(sql`select provolatile from pg_proc where proname = 'f_search_key'`);
    expect(volatility?.provolatile).toBe("i");
  });

  test("seed the four roles", async () => {
    const roles = await rows(sql`select name from roles order by name`);
    expect(roles.map((r) => r.name)).toEqual(["ADMIN", "DOCTOR", "PATIENT", "STAFF"]);
  });

  test("make the audit trail append-only in the database", async () => {
    await handle.db.execute(sql`insert into audit_events (action, outcome) values ('test.event', 'SUCCESS')`);
    await expect(handle.db.execute(sql`update audit_events set outcome = 'FAILURE'`)).rejects.toThrow();
    await expect(handle.db.execute(sql`delete from audit_events`)).rejects.toThrow();
    await expect(handle.db.execute(sql`truncate audit_events`)).rejects.toThrow();
    const left = await rows(sql`select count(*)::int as n from audit_events where outcome = 'SUCCESS'`);
    expect(Number(left[0]?.n)).toBeGreaterThanOrEqual(1);
  });
});
