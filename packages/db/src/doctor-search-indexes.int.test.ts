import { type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Executor } from "./client.ts";
import { selectRows } from "./rows.ts";
import type { TestDatabase } from "./testing/databases.ts";
import { openFileDatabase } from "./testing/vitest.ts";

/**
 * The doctor search (packages/api/src/services/doctors/search.ts) can use its indexes: every filter
 * and every sort key of GET /api/v1/doctors, EXPLAINed over ~20k generated doctors after ANALYZE.
 * The filters are EXPLAINed as the service's bounded count (`select count(*) from (… limit 1001)`),
 * the query that must touch every match; the sorts as its first page (`order by key, id limit 21`).
 * Sequential scans are disabled inside the EXPLAIN's transaction: the question is whether an index
 * CAN serve the predicate, not which plan wins on this data (docs/decisions/0007).
 * The SQL mirrors what drizzle sends for the service; keep them in step.
 */
const DOCTORS = 20_000;
const PAGE = 21; // limit 20 + the one that tells whether a next page exists
const COUNT_CAP = 1001;
const kind = process.env.TEST_DB ?? "pglite";

let database: TestDatabase;
beforeAll(async () => {
  database = await openFileDatabase();
  await generateDoctors(database.db);
}, 120_000);
afterAll(() => database.close());

const FIRST_NAMES = ["Amina", "Karim", "Yasmina", "Mohand", "Nadia", "Sofiane", "Tassadit", "Hélène"];
const LAST_NAMES = [
  "Benali",
  "Haddad",
  "Aït Ahmed",
  "Bouzid",
  "Mansouri",
  "Khelifi",
  "Amrouche",
  "Brahimi",
  "Lefèvre",
  "Saadi",
  "Zerrouki",
  "Rahmani",
  "Hamadouche",
  "Mebarki",
  "Touati",
  "Ouali",
  "Cherif",
  "Laribi",
  "Meziani",
  "Djebbar",
];
const CITIES = [
  "Alger",
  "Oran",
  "Constantine",
  "Tizi Ouzou",
  "Annaba",
  "Blida",
  "Sétif",
  "Béjaïa",
  "Tlemcen",
  "Batna",
];

const literalArray = (values: string[]) =>
  sql.raw(`array[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(",")}]`);

/** ~20k doctors through the real triggers (keys written by doctors_keys_on_write), ten specialties, links. */
async function generateDoctors(db: Executor): Promise<void> {
  await db.execute(
    sql`insert into specialties (name) select 'Spécialité index ' || s from generate_series(1, 10) s`,
  );
  await db.execute(sql`
    insert into users (email, role, first_name, last_name)
    select 'index.doctor.' || g || '@example.dz', 'DOCTOR',
      (${literalArray(FIRST_NAMES)})[1 + g % ${FIRST_NAMES.length}],
      (${literalArray(LAST_NAMES)})[1 + (g / ${FIRST_NAMES.length}) % ${LAST_NAMES.length}]
    from generate_series(1, ${DOCTORS}) g`);
  await db.execute(sql`
    insert into doctors (user_id, city, clinic_name, fee_amount_minor, years_of_experience, rating_average, rating_count)
    select id, (${literalArray(CITIES)})[1 + n % ${CITIES.length}], 'Clinique ' || n,
      150000 + (n * 37 % 71) * 5000, n * 13 % 40, round(2 + (n * 7 % 301) / 100.0, 2), n % 200
    from (select id, row_number() over (order by email)::int as n from users where email like 'index.doctor.%') u`);
  await db.execute(sql`
    insert into doctor_specialties (doctor_id, specialty_id)
    select d.id, s.id
    from (select id, row_number() over (order by id)::int as n from doctors) d
    join (select id, (row_number() over (order by name))::int - 1 as k from specialties) s on s.k = d.n % 10`);
  await db.execute(sql`analyze users, doctors, specialties, doctor_specialties`);
}

/** EXPLAIN's text, one line per plan node, with sequential scans off for this transaction only. */
async function plan(query: SQL, { seqscan = false } = {}): Promise<string> {
  return database.db.transaction(async (tx) => {
    if (!seqscan) await tx.execute(sql`set local enable_seqscan = off`);
    const lines = await selectRows(tx, sql`explain ${query}`);
    return lines.map((line) => String(line["QUERY PLAN"])).join("\n");
  });
}

// The service's SQL, as drizzle renders it (columns of the page trimmed to the id: the plan is the same).
const active = sql`"doctors"."is_active" = ${true}`;
const countOf = (filter: SQL) =>
  sql`select count(*) from (select "id" from "doctors" where (${active} and ${filter}) limit ${COUNT_CAP}) "matching"`;
const pageOf = (filter: SQL | undefined, orderBy: SQL) =>
  sql`select "doctors"."id", "users"."first_name", "users"."last_name" from "doctors"
      inner join "users" on "users"."id" = "doctors"."user_id"
      where (${filter ? sql`${active} and ${filter}` : active}) order by ${orderBy} limit ${PAGE}`;

const textFilter = (q: string) => sql`"doctors"."search_key" like '%' || f_search_key(${q}) || '%'`;
const prefixFilter = (q: string) =>
  sql`("doctors"."search_key" like f_search_key(${q}) || '%' or "doctors"."search_key" like '% ' || f_search_key(${q}) || '%')`;
const cityFilter = (city: string) => sql`"doctors"."city_key" = f_search_key(${city})`;
const specialtyFilter = (id: string) =>
  sql`exists (select 1 from "doctor_specialties" where "doctor_specialties"."doctor_id" = "doctors"."id" and "doctor_specialties"."specialty_id" = ${id})`;

/** "Index Scan using x", "Index Only Scan using x", "Index Scan Backward using x" or "Bitmap Index Scan on x". */
const usesIndex = (name: string) =>
  new RegExp(`(Index (Only )?Scan( Backward)? using ${name}|Bitmap Index Scan on ${name})\\b`);

describe(`doctor search indexes (${kind}, ${DOCTORS.toLocaleString("en")} doctors after ANALYZE)`, () => {
  test("q of three characters or more: the trigram GIN index doctors_search_key_trgm", async () => {
    const explained = await plan(countOf(textFilter("BENALI")));
    expect(explained).toMatch(/Bitmap Index Scan on doctors_search_key_trgm/);
    // Accents and case are folded on both sides, as the service promises.
    const [found] = await selectRows(database.db, countOf(textFilter("aït ahm")));
    expect(Number(found?.count)).toBeGreaterThan(0);
  });

  test("q under three characters (prefix of a word): still the trigram index, through a BitmapOr", async () => {
    const explained = await plan(countOf(prefixFilter("Be")));
    expect(explained).toMatch(/Bitmap Index Scan on doctors_search_key_trgm/);
    expect(explained).toMatch(/BitmapOr/);
  });

  test("city: the btree doctors_city_key on the generated city_key", async () => {
    expect(await plan(countOf(cityFilter("BEJAIA")))).toMatch(usesIndex("doctors_city_key"));
    const [found] = await selectRows(
      database.db,
      sql`select count(*)::int as n from doctors where ${cityFilter("bejaia")}`,
    );
    expect(found?.n).toBe(DOCTORS / CITIES.length);
  });

  test("specialtyId: doctor_specialties_specialty (specialty_id, doctor_id)", async () => {
    const [specialty] = await selectRows(database.db, sql`select id from specialties order by name limit 1`);
    const explained = await plan(countOf(specialtyFilter(String(specialty?.id))));
    expect(explained).toMatch(usesIndex("doctor_specialties_specialty"));
  });

  test.each([
    ["rating", "doctors_rating", sql`"doctors"."rating_average" desc, "doctors"."id" desc`, "Backward"],
    ["name", "doctors_name", sql`"doctors"."name_key" asc, "doctors"."id" asc`, ""],
    [
      "experience",
      "doctors_experience",
      sql`"doctors"."years_of_experience" desc, "doctors"."id" desc`,
      "Backward",
    ],
    ["fee", "doctors_fee", sql`"doctors"."fee_amount_minor" asc, "doctors"."id" asc`, ""],
  ])("sort=%s: the first page walks %s, no sort node", async (_sort, index, orderBy, direction) => {
    // Sequential scans stay allowed here: the index must win on its own for a first page.
    const explained = await plan(pageOf(undefined, orderBy), { seqscan: true });
    expect(explained).toMatch(new RegExp(`Index Scan ${direction ? `${direction} ` : ""}using ${index}\\b`));
    expect(explained).not.toMatch(/\bSort\b/);
  });

  test("a keyset page deeper in the list walks the same index (the cursor is a filter on it, not a bound)", async () => {
    const cursor = sql`("doctors"."rating_average" < ${4} or ("doctors"."rating_average" = ${4} and "doctors"."id" < ${"80000000-0000-4000-8000-000000000000"}))`;
    const explained = await plan(pageOf(cursor, sql`"doctors"."rating_average" desc, "doctors"."id" desc`), {
      seqscan: true,
    });
    expect(explained).toMatch(/Index Scan Backward using doctors_rating\b/);
    // The OR form is not an index condition: the scan starts at the top and filters its way down,
    // so page n costs O(n × 20) index entries (docs/decisions/0007 suggests a row comparison).
    expect(explained).not.toMatch(/Index Cond: .*rating_average/);
  });
});

describe(`Arabic script in the search key (${kind})`, () => {
  test("f_search_key leaves Arabic as it is; pg_trgm extracts trigrams from it and the GIN index serves a LIKE", async () => {
    const [keys] = await selectRows(
      database.db,
      sql`select f_search_key('عبد القادر') as key, cardinality(show_trgm('عبد القادر')) as trigrams`,
    );
    expect(keys?.key).toBe("عبد القادر");
    expect(Number(keys?.trigrams)).toBeGreaterThan(0);

    await database.db.execute(sql`
      with u as (insert into users (email, role, first_name, last_name)
                 values ('arabic.doctor@example.dz', 'DOCTOR', 'عبد القادر', 'بن علي') returning id)
      insert into doctors (user_id, city, fee_amount_minor) select id, 'Alger', 200000 from u`);
    const found = await selectRows(database.db, countOf(textFilter("القادر")));
    expect(Number(found[0]?.count)).toBe(1);
    expect(await plan(countOf(textFilter("القادر")))).toMatch(/Bitmap Index Scan on doctors_search_key_trgm/);
  });
});
