import { type Database, selectRows } from "@medical/db";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, test } from "vitest";
import { useFileDeps } from "#testing/file-deps.ts";
import { cursorOfPage, explainLines, type Statement } from "#testing/plans.ts";
import { ZSearchInput } from "./search.schema.ts";
import { searchDoctors, searchDoctorsQuery } from "./search.service.ts";

/**
 * The doctor search can use its indexes: every filter and every sort key of GET /api/v1/doctors,
 * EXPLAINed over ~20k generated doctors after ANALYZE. What is EXPLAINed is exactly what the
 * service sends (`searchDoctorsQuery(...).toSQL()`, the statements `searchDoctors` runs): the
 * filters as its bounded count (`select count(*) from (… limit 1001)`), the query that must touch
 * every match; the sorts as their first page and as a page deeper in the list (a walked cursor).
 * Sequential scans are disabled inside the EXPLAIN's transaction for the filters: the question is
 * whether an index CAN serve the predicate, not which plan wins on this data (docs/decisions/0007).
 */
const DOCTORS = 20_000;
const kind = process.env.TEST_DB ?? "pglite";

const file = useFileDeps();
beforeAll(() => generateDoctors(file.db), 120_000);

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
async function generateDoctors(db: Database): Promise<void> {
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
async function plan(statement: Statement, { seqscan = false } = {}): Promise<string> {
  return file.db.transaction(async (tx) => {
    if (!seqscan) await tx.execute(sql`set local enable_seqscan = off`);
    return (await explainLines(tx, statement)).join("\n");
  });
}

/** The two statements of a search, for the query string a client would send. */
const search = (query: Record<string, unknown>) => searchDoctorsQuery(file.db, ZSearchInput.parse(query));
const countOf = async (query: Record<string, unknown>) => (await search(query).count)[0]?.n;

/** "Index Scan using x", "Index Only Scan using x", "Index Scan Backward using x" or "Bitmap Index Scan on x". */
const usesIndex = (name: string) =>
  new RegExp(`(Index (Only )?Scan( Backward)? using ${name}|Bitmap Index Scan on ${name})\\b`);

describe(`doctor search indexes (${kind}, ${DOCTORS.toLocaleString("en")} doctors after ANALYZE)`, () => {
  test("q of three characters or more: the trigram GIN index doctors_search_key_trgm", async () => {
    expect(await plan(search({ q: "BENALI" }).count)).toMatch(/Bitmap Index Scan on doctors_search_key_trgm/);
    // Accents and case are folded on both sides, as the service promises.
    expect(await countOf({ q: "aït ahm" })).toBeGreaterThan(0);
  });

  test("q under three characters (prefix of a word): still the trigram index, through a BitmapOr", async () => {
    const explained = await plan(search({ q: "Be" }).count);
    expect(explained).toMatch(/Bitmap Index Scan on doctors_search_key_trgm/);
    expect(explained).toMatch(/BitmapOr/);
  });

  test("city: the btree doctors_city_key on the generated city_key", async () => {
    expect(await plan(search({ city: "BEJAIA" }).count)).toMatch(usesIndex("doctors_city_key"));
    const [found] = await selectRows(
      file.db,
      sql`select count(*)::int as n from doctors where city_key = f_search_key(${"bejaia"})`,
    );
    expect(found?.n).toBe(DOCTORS / CITIES.length);
  });

  test("specialtyId: doctor_specialties_specialty (specialty_id, doctor_id)", async () => {
    const [specialty] = await selectRows(file.db, sql`select id from specialties order by name limit 1`);
    const explained = await plan(search({ specialtyId: String(specialty?.id) }).count);
    expect(explained).toMatch(usesIndex("doctor_specialties_specialty"));
  });

  test("specialty (by name): the matching ids once (an InitPlan), not a join and a LIKE per doctor", async () => {
    const explained = await plan(search({ specialty: "index 3" }).count, { seqscan: true });
    expect(explained).toMatch(/InitPlan/);
    // specialties is read by the InitPlan alone, never joined per doctor row.
    expect(explained.match(/ on specialties\b/g)).toHaveLength(1);
    // "index 3" names one of the ten specialties: a tenth of the doctors, beyond the exact bound.
    expect(await countOf({ specialty: "index 3" })).toBe(1_001);
    expect(await countOf({ specialty: "no such specialty" })).toBe(0);
  });

  const sorts = [
    ["rating", "desc", "doctors_rating", "rating_average"],
    ["name", "asc", "doctors_name", "name_key"],
    ["experience", "desc", "doctors_experience", "years_of_experience"],
    ["fee", "asc", "doctors_fee", "fee_amount_minor"],
  ] as const;
  const scan = (order: "asc" | "desc", index: string) =>
    new RegExp(`Index Scan ${order === "desc" ? "Backward " : ""}using ${index}\\b`);

  test.each(sorts)("sort=%s %s: the first page walks %s, no sort node", async (sort, order, index) => {
    // Sequential scans stay allowed here: the index must win on its own for a first page.
    const explained = await plan(search({ sort, order }).page, { seqscan: true });
    expect(explained).toMatch(scan(order, index));
    expect(explained).not.toMatch(/\bSort\b/);
  });

  test.each(sorts)(
    "sort=%s %s: a deep page starts where the cursor points in %s",
    async (sort, order, index, column) => {
      const cursor = await cursorOfPage(
        6,
        async (at) =>
          (await searchDoctors(file.deps, ZSearchInput.parse({ sort, order, cursor: at }))).nextCursor,
      );
      const explained = await plan(search({ sort, order, cursor }).page, { seqscan: true });
      expect(explained).toMatch(scan(order, index));
      expect(explained).not.toMatch(/\bSort\b/);
      // The row comparison (key, id) < (v, id) is a bound of the scan, so page n costs what page 1 does.
      expect(explained).toMatch(new RegExp(`Index Cond: \\(ROW\\(${column}, id\\) [<>] ROW\\(`));
    },
  );
});

describe(`Arabic script in the search key (${kind})`, () => {
  test("f_search_key leaves Arabic as it is; pg_trgm extracts trigrams from it and the GIN index serves a LIKE", async () => {
    const [keys] = await selectRows(
      file.db,
      sql`select f_search_key('عبد القادر') as key, cardinality(show_trgm('عبد القادر')) as trigrams`,
    );
    expect(keys?.key).toBe("عبد القادر");
    expect(Number(keys?.trigrams)).toBeGreaterThan(0);

    await file.db.execute(sql`
      with u as (insert into users (email, role, first_name, last_name)
                 values ('arabic.doctor@example.dz', 'DOCTOR', 'عبد القادر', 'بن علي') returning id)
      insert into doctors (user_id, city, fee_amount_minor) select id, 'Alger', 200000 from u`);
    expect(await countOf({ q: "القادر" })).toBe(1);
    expect(await plan(search({ q: "القادر" }).count)).toMatch(/Bitmap Index Scan on doctors_search_key_trgm/);
  });
});
