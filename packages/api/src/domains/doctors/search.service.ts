import { doctorSpecialties, doctors, specialties, users } from "@medical/db/schema";
import { and, count, eq, gte, lte, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Deps } from "#platform/deps.ts";
import {
  type KeysetSort,
  keyset,
  type Order,
  parseNumberSortValue,
  parseStringSortValue,
} from "#platform/pagination.ts";
import {
  type DoctorDto,
  type DoctorRow,
  doctorDtoColumns,
  doctorNameColumns,
  toDoctorDtos,
} from "./doctor-dto.ts";

type Row = DoctorRow & { id: string };

export const DOCTOR_SORTS = {
  rating: {
    name: "rating",
    column: doctors.ratingAverage,
    valueOf: (row: Row) => row.doctor.ratingAverage,
    parse: parseNumberSortValue,
  },
  name: {
    name: "name",
    column: doctors.nameKey,
    valueOf: (row: Row) => row.doctor.nameKey,
    parse: parseStringSortValue,
  },
  experience: {
    name: "experience",
    column: doctors.yearsOfExperience,
    valueOf: (row: Row) => row.doctor.yearsOfExperience,
    parse: parseNumberSortValue,
  },
  fee: {
    name: "fee",
    column: doctors.feeAmountMinor,
    valueOf: (row: Row) => row.doctor.feeAmountMinor,
    parse: parseNumberSortValue,
  },
} satisfies Record<string, KeysetSort<Row>>;

export interface DoctorSearch {
  q?: string;
  specialtyId?: string;
  specialty?: string;
  city?: string;
  minRating?: number;
  language?: string;
  maxFee?: number;
  sort: keyof typeof DOCTOR_SORTS;
  order: Order;
  limit: number;
  cursor?: string;
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

function filtersOf(input: DoctorSearch): SQL[] {
  const filters: (SQL | undefined)[] = [
    eq(doctors.isActive, true),
    input.q ? textFilter(input.q) : undefined,
    input.specialtyId
      ? sql`exists (select 1 from ${doctorSpecialties} where ${doctorSpecialties.doctorId} = ${doctors.id} and ${doctorSpecialties.specialtyId} = ${input.specialtyId})`
      : undefined,
    input.specialty
      ? sql`exists (select 1 from ${doctorSpecialties} join ${specialties} on ${specialties.id} = ${doctorSpecialties.specialtyId}
          where ${doctorSpecialties.doctorId} = ${doctors.id} and ${specialties.nameKey} like '%' || f_search_key(${input.specialty}) || '%')`
      : undefined,
    input.city ? sql`${doctors.cityKey} = f_search_key(${input.city})` : undefined,
    input.minRating !== undefined ? gte(doctors.ratingAverage, input.minRating) : undefined,
    input.language ? sql`${input.language} = any(${doctors.languages})` : undefined,
    input.maxFee !== undefined ? lte(doctors.feeAmountMinor, input.maxFee) : undefined,
  ];
  return filters.filter((filter): filter is SQL => filter !== undefined);
}

export interface DoctorPage {
  items: DoctorDto[];
  nextCursor: string | null;
  total: number;
  totalExact: boolean;
}

/** Public doctor search: filters, four sort keys, keyset pages and a bounded total. */
export async function searchDoctors(deps: Pick<Deps, "db">, input: DoctorSearch): Promise<DoctorPage> {
  const filters = filtersOf(input);
  const page = keyset(DOCTOR_SORTS[input.sort], { column: doctors.id, schema: z.uuid() }, input.order, input);
  const rows = await deps.db
    .select({
      id: doctors.id,
      doctor: doctorDtoColumns,
      user: doctorNameColumns,
    })
    .from(doctors)
    .innerJoin(users, eq(users.id, doctors.userId))
    .where(and(...filters, page.where))
    .orderBy(...page.orderBy)
    .limit(page.take);
  const matching = deps.db
    .select({ id: doctors.id })
    .from(doctors)
    .where(and(...filters))
    .limit(EXACT_TOTAL_LIMIT + 1)
    .as("matching");
  const [counted] = await deps.db.select({ n: count() }).from(matching);
  const n = counted?.n ?? 0;
  const { items, nextCursor } = page.page(rows);
  return {
    items: await toDoctorDtos(deps.db, items),
    nextCursor,
    total: Math.min(n, EXACT_TOTAL_LIMIT),
    totalExact: n <= EXACT_TOTAL_LIMIT,
  };
}
