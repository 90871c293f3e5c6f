import type { BareQuery, BareRoute, Row, Scenario, SetupContext, SqlParam, Target } from "../scenario.ts";
import { BULK_DOCTORS, bulkData } from "./bulk.ts";
import { failure, isObject } from "./envelope.ts";
import { encodeCursor } from "./keyset-list.ts";

const SEARCH_PATH = "/api/v1/doctors";
const SPECIALTIES_PATH = "/api/v1/doctors/specialties";
const DOCTORS = BULK_DOCTORS;
const PAGE_SIZE = 20;
/** The deep page of the mix: reached by walking 49 cursors in setup, never by an offset. */
const DEEP_PAGE = 50;
/** ~3 % of the generated doctors match (Haddad, Haddadi): a common surname typed in full. */
const NAME_FRAGMENT = "haddad";
const CITY = "Alger";
const SPECIALTY = "Cardiologie";
/** Search by specialty name, as typed: the shape the replaced system's side-by-side run found far off. */
const SPECIALTY_FRAGMENT = "cardio";
/** The README's search example: every filter the search has, best rated first. */
export const README_FILTERS =
  "q=benali&city=bejaia&specialty=cardio&minRating=4&language=kab&maxFee=300000&sort=rating&order=desc";

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
  const specialtiesPath = `${SPECIALTIES_PATH}?limit=100`;
  const list = dataOf(await getJson(specialtiesPath), specialtiesPath);
  const items = isObject(list) && Array.isArray(list.items) ? list.items : [];
  const specialty = items.find((s) => isObject(s) && s.name === SPECIALTY);
  if (!isObject(specialty) || typeof specialty.id !== "string")
    throw new Error(`${specialtiesPath} has no ${SPECIALTY}: ${JSON.stringify(list).slice(0, 200)}`);
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
    { path: `${SEARCH_PATH}?specialty=${SPECIALTY_FRAGMENT}` },
    { path: `${SEARCH_PATH}?${README_FILTERS}` },
  ];
}

// ---- The bare twin: the service's own statements, sent through postgres-js (or PGlite). ----

/**
 * What the bare twin uses of the server's code: the search's statement builders, rendered to SQL
 * text and parameters, so both sides send the same SQL. Loaded on the twin's first search (the
 * bench CLI never loads it). The twin's RSS carries these modules (about 60 MB on Node 20 under
 * tsx), its request path does not: each distinct query string is rendered once.
 */
async function loadSearchSql() {
  const [api, { createSqlRenderer }] = await Promise.all([import("@medical/api"), import("@medical/db")]);
  return { ...api, renderer: createSqlRenderer() };
}
let loaded: ReturnType<typeof loadSearchSql> | undefined;
function searchSql(): ReturnType<typeof loadSearchSql> {
  loaded ??= loadSearchSql();
  return loaded;
}

interface Statement {
  readonly text: string;
  readonly params: readonly SqlParam[];
}

function sqlParam(value: unknown): SqlParam {
  if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return value;
  throw new Error(`the search sends a parameter the bare driver cannot bind: ${typeof value}`);
}

const statementOf = (query: { toSQL(): { sql: string; params: unknown[] } }): Statement => {
  const { sql, params } = query.toSQL();
  return { text: sql, params: params.map(sqlParam) };
};

/** A cursor's sort value from a row of the page (numeric columns arrive as text from the driver). */
const SORT_VALUES: Readonly<Record<string, (row: Row) => string | number>> = {
  rating: (row) => Number(row.rating_average),
  name: (row) => String(row.name_key),
  experience: (row) => Number(row.years_of_experience),
  fee: (row) => Number(row.fee_amount_minor),
};

interface Search {
  readonly sort: string;
  readonly order: string;
  readonly limit: number;
  readonly page: Statement;
  readonly count: Statement;
}

/** The search's number-typed query keys: text on the wire, numbers to the schema (as the REST layer does). */
const NUMBER_KEYS = new Set(["limit", "minRating", "maxFee"]);
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** The service's two statements for a query string; undefined where the service answers 400. */
async function render(query: URLSearchParams): Promise<Search | undefined> {
  const { DomainError, ZSearchInput, renderer, searchDoctorsQuery } = await searchSql();
  const typed = [...query].map(([key, text]) => [
    key,
    NUMBER_KEYS.has(key) && DECIMAL.test(text) ? Number(text) : text,
  ]);
  const input = ZSearchInput.safeParse(Object.fromEntries(typed));
  if (!input.success) return undefined;
  try {
    const { page, count } = searchDoctorsQuery(renderer, input.data);
    const { sort, order, limit } = input.data;
    return { sort, order, limit, page: statementOf(page), count: statementOf(count) };
  } catch (error) {
    if (error instanceof DomainError) return undefined; // a cursor of another list or sort
    throw error;
  }
}

// hey repeats a handful of URLs; setup adds the 49 of its cursor walk.
const searches = new Map<string, Promise<Search | undefined>>();
const linkTexts = new Map<number, string>();

/** The page's specialties, with the service's statement for that many ids. */
async function specialtiesOf(query: BareQuery, ids: string[]): Promise<readonly Row[]> {
  if (ids.length === 0) return [];
  let text = linkTexts.get(ids.length);
  if (text === undefined) {
    const { doctorSpecialtiesQuery, renderer } = await searchSql();
    const statement = statementOf(doctorSpecialtiesQuery(renderer, ids));
    if (statement.params.join() !== ids.join())
      throw new Error("the specialties statement binds something other than the ids, in order");
    text = statement.text;
    linkTexts.set(ids.length, text);
  }
  return query(text, ids);
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
    minNoticeMinutes: row.min_notice_minutes,
    bookingHorizonDays: row.booking_horizon_days,
    clinicPhone: row.clinic_phone,
    specialties: links.filter((l) => l.doctor_id === row.id).map((l) => ({ id: l.id, name: l.name })),
    rating: { average: Number(row.rating_average), count: row.rating_count },
  };
}

const bareSearch: BareRoute = {
  path: SEARCH_PATH,
  async handle({ query, url }) {
    let rendered = searches.get(url.search);
    if (!rendered) {
      rendered = render(url.searchParams);
      searches.set(url.search, rendered);
    }
    const search = await rendered;
    const sortValue = search && SORT_VALUES[search.sort];
    if (!search || !sortValue) return failure(400, "not a search the service accepts");
    // The count beside the page, as the service runs them.
    const [rows, [counted]] = await Promise.all([
      query(search.page.text, search.page.params),
      query(search.count.text, search.count.params),
    ]);
    const items = rows.slice(0, search.limit);
    const last = items.at(-1);
    const nextCursor =
      rows.length > search.limit && last
        ? encodeCursor({ s: search.sort, o: search.order, v: sortValue(last), id: last.id })
        : null;
    const links = await specialtiesOf(
      query,
      items.map((row) => String(row.id)),
    );
    const { EXACT_TOTAL_LIMIT } = await searchSql();
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

/** Setup's look-up only (not timed): the first page of the specialties by name. */
const bareSpecialties: BareRoute = {
  path: SPECIALTIES_PATH,
  async handle({ query, url }) {
    const limit = Number(url.searchParams.get("limit") ?? PAGE_SIZE);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return failure(400, "bad limit");
    const rows = await query(
      `select "id", "name", "description" from "specialties" order by "name_key" asc, "id" asc limit $1`,
      [limit],
    );
    return {
      status: 200,
      body: {
        success: true,
        data: {
          items: rows.map((row) => ({ id: row.id, name: row.name, description: row.description })),
          nextCursor: null,
        },
        message: null,
      },
    };
  },
};

/**
 * What a patient app sends while looking for a doctor, over 100k generated doctors (@medical/seed's
 * bulk load, the same as `pnpm seed --size 100000`): a city and a specialty, a surname, the best
 * rated first, page 50 of that list through a walked cursor, a specialty by name, and the README's
 * example with every filter. Six URLs side by side.
 */
export const doctorsSearch: Scenario = {
  name: "doctors.search",
  description:
    `GET /api/v1/doctors over ${DOCTORS.toLocaleString("en")} doctors, a mix of six: city=${CITY}&specialtyId=<${SPECIALTY}>; ` +
    `q=${NAME_FRAGMENT}; sort=rating page 1; sort=rating page ${DEEP_PAGE} (cursor walked in setup); ` +
    `specialty=${SPECIALTY_FRAGMENT}; ${README_FILTERS}. ` +
    "Each answer: per-IP public rate limiter, page query and bounded count (≤ 1,001) side by side, the page's specialties",
  // Replaced by setup's (the specialty id and the deep cursor are known only once the data is there).
  targets: [{ path: `${SEARCH_PATH}?q=${NAME_FRAGMENT}` }, { path: rating() }],
  setup,
  bare: [bareSpecialties, bareSearch],
  minRatio: 0.75,
  // The comparison: p95 at 300 requests/s, ours at most 1.5× the twin's at that rate.
  compareAt: { rate: 300, maxP95Ratio: 1.5 },
  data: bulkData,
};
