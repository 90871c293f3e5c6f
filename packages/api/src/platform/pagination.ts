import { type AnyColumn, asc, desc, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { DomainError } from "./errors/errors.ts";

export const MAX_PAGE_SIZE = 100;

/** `limit` and `cursor` of every list (API-CONTRACT §1); query strings coerce explicitly. */
export const ZPageInput = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(20),
  cursor: z.string().max(512).optional(),
});

export const ZOrder = z.enum(["asc", "desc"]);
export type Order = z.infer<typeof ZOrder>;

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

type SortValue = string | number;
type RowId = string | number;
const ZCursor = z.object({
  s: z.string(),
  o: ZOrder,
  v: z.union([z.string(), z.number()]),
  id: z.union([z.string().max(64), z.number()]),
});

function encodeCursor(sort: string, order: Order, value: SortValue, id: RowId): string {
  return Buffer.from(JSON.stringify({ s: sort, o: order, v: value, id })).toString("base64url");
}

/** An opaque cursor from an earlier page of the same sort; anything else is a 400. */
function decodeCursor<Id extends RowId>(
  cursor: string,
  sort: string,
  order: Order,
  idSchema: z.ZodType<Id>,
): { value: SortValue; id: Id } {
  try {
    const parsed = ZCursor.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    if (parsed.s !== sort || parsed.o !== order) throw new Error("cursor of another sort");
    return { value: parsed.v, id: idSchema.parse(parsed.id) };
  } catch {
    throw new DomainError("VALIDATION_FAILED", "Invalid input: cursor: not a cursor of this list and sort", {
      field: "cursor",
    });
  }
}

export interface KeysetSort<Row> {
  /** Name clients use in `sort=` (and the cursor records). */
  name: string;
  column: AnyColumn;
  /** The value of the sort column in a returned row, as stored in the cursor. */
  valueOf(row: Row): SortValue;
  /** Turns a cursor value back into the column's type (dates are ISO strings in cursors). */
  parse(value: SortValue): unknown;
}

/**
 * Keyset pagination on (sort column, id): a deep page costs what the first does. Returns the
 * WHERE fragment for the cursor and the ORDER BY; `page()` cuts the extra row into nextCursor.
 */
export function keyset<Id extends RowId, Row extends { id: Id }>(
  sort: KeysetSort<Row>,
  id: { column: AnyColumn; schema: z.ZodType<Id> },
  order: Order,
  input: { limit: number; cursor?: string },
) {
  const direction = order === "asc" ? asc : desc;
  let where: SQL | undefined;
  if (input.cursor) {
    const cursor = decodeCursor(input.cursor, sort.name, order, id.schema);
    const parsed = sort.parse(cursor.value);
    // A row comparison is one range on the (sort key, id) index; `a < x or (a = x and id < y)`
    // was applied as a filter after the scan (page 50 read ~980 index entries instead of 20).
    // Values are bound through their columns' encoders, so dates reach postgres-js as strings.
    const comparison = order === "asc" ? sql`>` : sql`<`;
    where = sql`(${sort.column}, ${id.column}) ${comparison} (${sql.param(parsed, sort.column)}, ${sql.param(cursor.id, id.column)})`;
  }
  return {
    where,
    orderBy: [direction(sort.column), direction(id.column)],
    /** Fetch one more than the page, so the next cursor exists only when a next page does. */
    take: input.limit + 1,
    page(rows: Row[]): { items: Row[]; nextCursor: string | null } {
      const items = rows.slice(0, input.limit);
      const last = items.at(-1);
      const more = rows.length > input.limit && last !== undefined;
      return { items, nextCursor: more ? encodeCursor(sort.name, order, sort.valueOf(last), last.id) : null };
    },
  };
}

export const dateSortValue = (date: Date): string => date.toISOString();
export const parseDateSortValue = (value: SortValue): Date => {
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new DomainError("VALIDATION_FAILED", "Invalid input: cursor: bad date");
  return date;
};

export const parseStringSortValue = (value: SortValue): string => {
  if (typeof value !== "string")
    throw new DomainError("VALIDATION_FAILED", "Invalid input: cursor: bad value");
  return value;
};

export const parseNumberSortValue = (value: SortValue): number => {
  const number = typeof value === "number" ? value : Number.NaN;
  if (!Number.isFinite(number))
    throw new DomainError("VALIDATION_FAILED", "Invalid input: cursor: bad value");
  return number;
};
