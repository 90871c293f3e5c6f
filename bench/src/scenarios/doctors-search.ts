import { hash } from "@node-rs/argon2";
import { ARGON2_COST } from "../identity.ts";
import type { BareQuery, BareRoute, Row, Scenario, SetupContext, SqlParam, Target } from "../scenario.ts";

const SEARCH_PATH = "/api/v1/doctors";
const SPECIALTIES_PATH = "/api/v1/doctors/specialties";
const DOCTORS = 100_000;
const PAGE_SIZE = 20;
/** The deep page of the mix: reached by walking 49 cursors in setup, never by an offset. */
const DEEP_PAGE = 50;
/** ~3 % of the generated doctors match (Haddad, Haddadi): a common surname typed in full. */
const NAME_FRAGMENT = "haddad";
const CITY = "Alger";
const SPECIALTY = "Cardiologie";
// The service's bound on counting (packages/api/src/services/doctors/search.ts).
const EXACT_TOTAL_LIMIT = 1_000;

const isObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null;

/** `data` of the envelope, or a clear error naming the path. */
function dataOf(answer: unknown, path: string): unknown {
  if (!isObject(answer) || !("data" in answer))
    throw new Error(`${path}: no envelope in ${JSON.stringify(answer)}`);
  return answer.data;
}

const rating = (extra = "") => `${SEARCH_PATH}?sort=rating&order=desc&limit=${PAGE_SIZE}${extra}`;

/**
 * Runs on each server (ours, then the bare twin): finds the specialty's id as an app would (from the
 * list), then walks the rating-sorted list page by page to the cursor of page 50.
 */
async function setup({ getJson }: SetupContext): Promise<readonly Target[]> {
  const list = dataOf(await getJson(SPECIALTIES_PATH), SPECIALTIES_PATH);
  const specialty = Array.isArray(list) ? list.find((s) => isObject(s) && s.name === SPECIALTY) : undefined;
  if (!isObject(specialty) || typeof specialty.id !== "string")
    throw new Error(`${SPECIALTIES_PATH} has no ${SPECIALTY}: ${JSON.stringify(list).slice(0, 200)}`);
  let cursor: string | undefined;
  for (let page = 1; page < DEEP_PAGE; page += 1) {
    const path = rating(cursor ? `&cursor=${encodeURIComponent(cursor)}` : "");
    const data = dataOf(await getJson(path), path);
    if (!isObject(data) || typeof data.nextCursor !== "string")
      throw new Error(`page ${page} of ${rating()} has no next cursor: is the snapshot loaded?`);
    cursor = data.nextCursor;
  }
  return [
    { path: `${SEARCH_PATH}?city=${encodeURIComponent(CITY)}&specialtyId=${specialty.id}` },
    { path: `${SEARCH_PATH}?q=${NAME_FRAGMENT}` },
    { path: rating() },
    { path: rating(`&cursor=${encodeURIComponent(cursor ?? "")}`) },
  ];
}

// ---- The bare twin: the service's three statements, as drizzle sends them, through postgres-js. ----

const DOCTOR_COLUMNS = [
  "id",
  "user_id",
  "bio",
  "years_of_experience",
  "clinic_name",
  "clinic_address",
  "city",
  "country",
  "fee_amount_minor",
  "fee_currency",
  "languages",
  "timezone",
  "appointment_minutes",
  "clinic_phone",
  "rating_average",
  "rating_count",
  "search_key",
  "name_key",
  "city_key",
  "is_active",
  "created_at",
  "updated_at",
];
const SELECT_PAGE = `select "doctors"."id", ${DOCTOR_COLUMNS.map((c) => `"doctors"."${c}"`).join(", ")}, "users"."first_name", "users"."last_name" from "doctors" inner join "users" on "users"."id" = "doctors"."user_id"`;
const SORT_COLUMNS: Readonly<Record<string, string>> = {
  rating: "rating_average",
  name: "name_key",
  experience: "years_of_experience",
  fee: "fee_amount_minor",
};

interface Cursor {
  s: string;
  o: string;
  v: string | number;
  id: string;
}

const badRequest = (message: string) => ({ status: 400, body: { success: false, data: null, message } });

function readCursor(text: string): Cursor | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (isObject(parsed) && typeof parsed.s === "string" && typeof parsed.id === "string")
      return parsed as unknown as Cursor;
  } catch {}
  return undefined;
}

/** The WHERE of the service's filtersOf(), numbering parameters from $1. */
function filters(url: URL, params: SqlParam[]): string[] {
  const next = (value: SqlParam) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = [`"doctors"."is_active" = ${next(true)}`];
  const q = url.searchParams.get("q")?.trim();
  if (q)
    where.push(
      q.length >= 3
        ? `"doctors"."search_key" like '%' || f_search_key(${next(q)}) || '%'`
        : `("doctors"."search_key" like f_search_key(${next(q)}) || '%' or "doctors"."search_key" like '% ' || f_search_key(${next(q)}) || '%')`,
    );
  const specialtyId = url.searchParams.get("specialtyId");
  if (specialtyId)
    where.push(
      `exists (select 1 from "doctor_specialties" where "doctor_specialties"."doctor_id" = "doctors"."id" and "doctor_specialties"."specialty_id" = ${next(specialtyId)})`,
    );
  const city = url.searchParams.get("city")?.trim();
  if (city) where.push(`"doctors"."city_key" = f_search_key(${next(city)})`);
  return where;
}

const and = (conditions: string[]) =>
  conditions.length === 1 ? `${conditions[0]}` : `(${conditions.join(" and ")})`;

async function specialtiesOf(query: BareQuery, ids: string[]): Promise<readonly Row[]> {
  if (ids.length === 0) return [];
  return query(
    `select "doctor_specialties"."doctor_id", "specialties"."id", "specialties"."name" from "doctor_specialties" inner join "specialties" on "specialties"."id" = "doctor_specialties"."specialty_id" where "doctor_specialties"."doctor_id" in (${ids.map((_, i) => `$${i + 1}`).join(", ")}) order by "specialties"."name" asc`,
    ids,
  );
}

/** The service's DoctorDto, field for field. */
function doctorDto(row: Row, links: readonly Row[]) {
  return {
    id: row.id,
    firstName: row.first_name,
    lastName: row.last_name,
    bio: row.bio,
    yearsOfExperience: row.years_of_experience,
    clinicName: row.clinic_name,
    clinicAddress: row.clinic_address,
    city: row.city,
    country: row.country,
    fee: { amountMinor: row.fee_amount_minor, currency: row.fee_currency },
    languages: row.languages,
    timezone: row.timezone,
    appointmentMinutes: row.appointment_minutes,
    clinicPhone: row.clinic_phone,
    specialties: links.filter((l) => l.doctor_id === row.id).map((l) => ({ id: l.id, name: l.name })),
    rating: { average: Number(row.rating_average), count: row.rating_count },
  };
}

const bareSearch: BareRoute = {
  path: SEARCH_PATH,
  async handle({ query, url }) {
    const sort = url.searchParams.get("sort") ?? "rating";
    const order = url.searchParams.get("order") ?? "desc";
    const column = SORT_COLUMNS[sort];
    const limit = Number(url.searchParams.get("limit") ?? PAGE_SIZE);
    if (
      !column ||
      (order !== "asc" && order !== "desc") ||
      !Number.isInteger(limit) ||
      limit < 1 ||
      limit > 100
    )
      return badRequest("bad sort, order or limit");
    const params: SqlParam[] = [];
    const where = filters(url, params);
    const countParams = [...params];
    const countWhere = [...where];
    const cursorText = url.searchParams.get("cursor");
    if (cursorText) {
      const cursor = readCursor(cursorText);
      if (!cursor || cursor.s !== sort || cursor.o !== order) return badRequest("not a cursor of this list");
      const op = order === "asc" ? ">" : "<";
      params.push(cursor.v, cursor.v, cursor.id);
      const n = params.length;
      where.push(
        `("doctors"."${column}" ${op} $${n - 2} or ("doctors"."${column}" = $${n - 1} and "doctors"."id" ${op} $${n}))`,
      );
    }
    params.push(limit + 1);
    const rows = await query(
      `${SELECT_PAGE} where ${and(where)} order by "doctors"."${column}" ${order}, "doctors"."id" ${order} limit $${params.length}`,
      params,
    );
    countParams.push(EXACT_TOTAL_LIMIT + 1);
    const [counted] = await query(
      `select count(*) from (select "id" from "doctors" where ${and(countWhere)} limit $${countParams.length}) "matching"`,
      countParams,
    );
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    const value = sort === "rating" ? Number(last?.rating_average) : last?.[column];
    const nextCursor =
      rows.length > limit && last
        ? Buffer.from(JSON.stringify({ s: sort, o: order, v: value, id: last.id })).toString("base64url")
        : null;
    const links = await specialtiesOf(
      query,
      items.map((row) => String(row.id)),
    );
    const n = Number(counted?.count ?? 0);
    return {
      status: 200,
      body: {
        success: true,
        data: {
          items: items.map((row) => doctorDto(row, links)),
          nextCursor,
          total: Math.min(n, EXACT_TOTAL_LIMIT),
          totalExact: n <= EXACT_TOTAL_LIMIT,
        },
        message: null,
      },
    };
  },
};

const bareSpecialties: BareRoute = {
  path: SPECIALTIES_PATH,
  async handle({ query }) {
    const rows = await query(
      `select "id", "name", "description", "name_key", "created_at" from "specialties" order by "specialties"."name_key" asc`,
    );
    return {
      status: 200,
      body: {
        success: true,
        data: rows.map((row) => ({ id: row.id, name: row.name, description: row.description })),
        message: null,
      },
    };
  },
};

/**
 * What a patient app sends while looking for a doctor, over 100k generated doctors (@medical/seed's
 * bulk load, the same as `pnpm seed --size 100000`): a city and a specialty, a surname, the best
 * rated first, and page 50 of that list through a walked cursor. Four URLs side by side.
 */
export const doctorsSearch: Scenario = {
  name: "doctors.search",
  description:
    `GET /api/v1/doctors over ${DOCTORS.toLocaleString("en")} doctors, a mix of four: city=${CITY}&specialtyId=<${SPECIALTY}>; ` +
    `q=${NAME_FRAGMENT}; sort=rating page 1; sort=rating page ${DEEP_PAGE} (cursor walked in setup). ` +
    "Each answer: per-IP public rate limiter, page query, bounded count (≤ 1,001), the page's specialties",
  // Replaced by setup's (the specialty id and the deep cursor are known only once the data is there).
  targets: [{ path: `${SEARCH_PATH}?q=${NAME_FRAGMENT}` }, { path: rating() }],
  setup,
  bare: [bareSpecialties, bareSearch],
  data: {
    // 2: the load ends with VACUUM (ANALYZE) (visibility map and hint bits set in the snapshot).
    version: 2,
    async seed(db) {
      // Imported here: the bare twin loads this module too and must not carry the seed's imports.
      const { createProgressBar, loadBulk } = await import("@medical/seed/bulk");
      const passwordHash = await hash("Algeria123!", {
        algorithm: 2, // Argon2id (a const enum the package declares, unreadable under isolated modules)
        memoryCost: ARGON2_COST.memoryKib,
        timeCost: ARGON2_COST.iterations,
        parallelism: ARGON2_COST.parallelism,
      });
      const bar = createProgressBar(process.stderr);
      try {
        await loadBulk(db, { size: DOCTORS, passwordHash, onProgress: (progress) => bar.update(progress) });
      } finally {
        bar.done();
      }
    },
  },
};
