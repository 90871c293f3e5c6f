import type { Executor } from "@medical/db";
import { doctorSpecialties, doctors, specialties, users } from "@medical/db/schema";
import { and, count, eq, gte, lte, type SQL, sql } from "drizzle-orm";
import type { Deps } from "#platform/deps.ts";
import { defineList, type Keyset, type ListInput, type SortSpec } from "#platform/list.ts";
import { publicDoctorVisible } from "./access.ts";
import {
  type DoctorDto,
  type DoctorRow,
  doctorDtoColumns,
  doctorNameColumns,
  toDoctorDtos,
} from "./doctor-dto.ts";

/** Each sort walks its index `(key, id)` (docs/decisions/0007). */
const sorts = {
  rating: { column: doctors.ratingAverage, valueOf: (row) => row.doctor.ratingAverage },
  name: { column: doctors.nameKey, valueOf: (row) => row.doctor.nameKey },
  experience: { column: doctors.yearsOfExperience, valueOf: (row) => row.doctor.yearsOfExperience },
  fee: { column: doctors.feeAmountMinor, valueOf: (row) => row.doctor.feeAmountMinor },
} satisfies Record<string, SortSpec<DoctorRow>>;
export type DoctorSort = keyof typeof sorts;

export const doctorList = defineList<DoctorRow, DoctorSort>({
  sorts,
  id: { column: doctors.id, valueOf: (row) => row.doctor.id },
  defaultSort: "rating",
  defaultOrder: "desc",
});

export interface DoctorSearch extends ListInput<DoctorSort> {
  q?: string;
  specialtyId?: string;
  specialty?: string;
  city?: string;
  minRating?: number;
  language?: string;
  maxFee?: number;
}

/** Beyond this many matches the total is reported as a lower bound: counting further costs more than it tells. */
export const EXACT_TOTAL_LIMIT = 1_000;

/**
 * `q` over the names and clinic, accent- and case-insensitive: three characters or more match
 * anywhere (trigram index); shorter queries match the start of a word.
 */
function textFilter(q: string): SQL {
  return q.length >= 3
    ? sql`${doctors.searchKey} like '%' || f_search_key(${q}) || '%'`
    : sql`(${doctors.searchKey} like f_search_key(${q}) || '%' or ${doctors.searchKey} like '% ' || f_search_key(${q}) || '%')`;
}

/**
 * Doctors with a specialty whose name contains `name`. The matching specialty ids are an
 * uncorrelated sub-select, which PostgreSQL runs once per statement (an InitPlan); each doctor row
 * then costs one probe of the link's primary key instead of a join and a LIKE per row (up to 1,001
 * times more for the total).
 */
function specialtyNameFilter(name: string): SQL {
  const matching = sql`array(select ${specialties.id} from ${specialties} where ${specialties.nameKey} like '%' || f_search_key(${name}) || '%')`;
  return sql`exists (select 1 from ${doctorSpecialties} where ${doctorSpecialties.doctorId} = ${doctors.id} and ${doctorSpecialties.specialtyId} = any(${matching}))`;
}

/** The search's filters, and the public's view of doctors. */
function filtersOf(input: DoctorSearch): SQL[] {
  const filters: (SQL | undefined)[] = [
    publicDoctorVisible(),
    input.q ? textFilter(input.q) : undefined,
    input.specialtyId
      ? sql`exists (select 1 from ${doctorSpecialties} where ${doctorSpecialties.doctorId} = ${doctors.id} and ${doctorSpecialties.specialtyId} = ${input.specialtyId})`
      : undefined,
    input.specialty ? specialtyNameFilter(input.specialty) : undefined,
    input.city ? sql`${doctors.cityKey} = f_search_key(${input.city})` : undefined,
    input.minRating !== undefined ? gte(doctors.ratingAverage, input.minRating) : undefined,
    input.language ? sql`${input.language} = any(${doctors.languages})` : undefined,
    input.maxFee !== undefined ? lte(doctors.feeAmountMinor, input.maxFee) : undefined,
  ];
  return filters.filter((filter): filter is SQL => filter !== undefined);
}

function pageQuery(db: Executor, filters: SQL[], { where, orderBy, limit }: Keyset) {
  return db
    .select({ doctor: doctorDtoColumns, user: doctorNameColumns })
    .from(doctors)
    .innerJoin(users, eq(users.id, doctors.userId))
    .where(and(...filters, where))
    .orderBy(...orderBy)
    .limit(limit);
}

/** Counts matches up to one past the bound, so a broad search stops early. */
function countQuery(db: Executor, filters: SQL[]) {
  const matching = db
    .select({ id: doctors.id })
    .from(doctors)
    .where(and(...filters))
    .limit(EXACT_TOTAL_LIMIT + 1)
    .as("matching");
  return db.select({ n: count() }).from(matching);
}

/**
 * The two statements a search runs, unexecuted: its page and its bounded count. `searchDoctors`
 * runs exactly these; the index test EXPLAINs their `toSQL()` and the benchmark's bare twin sends
 * that SQL, so all three see the same statements.
 */
export function searchDoctorsQuery(db: Executor, input: DoctorSearch) {
  const filters = filtersOf(input);
  return { page: pageQuery(db, filters, doctorList.keyset(input)), count: countQuery(db, filters) };
}

export interface DoctorPage {
  items: DoctorDto[];
  nextCursor: string | null;
  total: number;
  totalExact: boolean;
}

/** Public doctor search: filters, four sort keys, keyset pages and a bounded total. */
export async function searchDoctors(deps: Pick<Deps, "db">, input: DoctorSearch): Promise<DoctorPage> {
  const query = searchDoctorsQuery(deps.db, input);
  // The count does not wait for the page: on PostgreSQL they run on two pooled connections.
  const [{ items, nextCursor }, [counted]] = await Promise.all([
    query.page.then(async (rows) => {
      const page = doctorList.pageFrom(input, rows);
      return { ...page, items: await toDoctorDtos(deps.db, page.items) };
    }),
    query.count,
  ]);
  const n = counted?.n ?? 0;
  return {
    items,
    nextCursor,
    total: Math.min(n, EXACT_TOTAL_LIMIT),
    totalExact: n <= EXACT_TOTAL_LIMIT,
  };
}
