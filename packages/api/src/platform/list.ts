import { type AnyColumn, asc, Column, desc, is, type Placeholder, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { invalidField } from "./errors/errors.ts";
import { text } from "./fields/fields.ts";

export const MAX_PAGE_SIZE = 100;
export const ZOrder = z.enum(["asc", "desc"]);
export type Order = z.infer<typeof ZOrder>;

/** What a sort key's values are: it decides how a cursor value is checked and bound. */
type SortType = "date" | "string" | "number";
type SortValue = Date | string | number;
type CursorValue = string | number;

/** A sort key: its column, and where a row of the list carries its value. */
export interface SortSpec<Row> {
  column: AnyColumn;
  valueOf(row: Row): SortValue;
}

/** The tie-breaker: a unique uuid or integer column, and where a row carries it. */
export interface IdSpec<Row> {
  column: AnyColumn;
  valueOf(row: Row): string | number;
}

/** The fields of a row that can carry a sort key's value. */
type SortableField<Row> = { [K in keyof Row]-?: Row[K] extends SortValue ? K : never }[keyof Row];

export interface ListSpec<Row, S extends string> {
  /**
   * The `sort=` values clients may name, each a column of an index that ends with the id. A bare
   * column is read from the row's field of the sort's own name.
   */
  sorts: { [K in S]: SortSpec<Row> | (K extends SortableField<Row> ? AnyColumn : never) };
  /** The tie-breaker: unique, last in every ORDER BY. A bare column is read from the row's `id`. */
  id: IdSpec<Row> | (Row extends { id: string | number } ? AnyColumn : never);
  defaultSort: S;
  defaultOrder: Order;
}

export interface ListInput<S extends string> {
  limit: number;
  cursor?: string;
  sort: S;
  order: Order;
}

/** What a page's query adds to its filters: the cursor's WHERE fragment, the ORDER BY, the LIMIT. */
export interface Keyset {
  where: SQL | undefined;
  orderBy: SQL[];
  limit: number;
}

/** What decides the text of a list's keyset: a prepared statement is built once per shape. */
export type KeysetShape<S extends string> = {
  sort: S;
  order: Order;
  /** Whether the page starts after a cursor. */
  cursor: boolean;
};

/** A keyset of placeholders, bound at execution by `keysetValues`. */
export interface PreparedKeyset {
  where: SQL | undefined;
  orderBy: SQL[];
  /** One row more than the page. */
  limit: Placeholder;
  /** The page's size, for what the statement writes about the page (its audit row). */
  pageSize: Placeholder;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const ZNextCursor = z.string().nullable().meta({
  description: "Opaque: pass it as `cursor` (same sort and order) for the next page; null on the last page",
});
/** What a cursor looks like in the document's examples: base64url text a client never reads. */
const EXAMPLE_CURSOR = "eyJzIjoiY3JlYXRlZEF0IiwibyI6ImRlc2MiLCJ2IjoiMjAyNi0xMi0wMVQwODozMDowMC4wMDBaIn0";

/**
 * The answer of every list (API-CONTRACT §1): `{ items, nextCursor }`, named `id` in the OpenAPI
 * document, with the item's own example as its one item.
 */
export function pageOf<T extends z.ZodType>(item: T, id: string) {
  const examples = item.meta()?.examples;
  const items = Array.isArray(examples) ? examples.slice(0, 1) : [];
  return z.object({ items: z.array(item), nextCursor: ZNextCursor }).meta({
    id,
    description: "One page of a list, in the requested order",
    examples: [{ items, nextCursor: EXAMPLE_CURSOR }],
  });
}

const ZCursor = z.strictObject({
  s: z.string().max(40),
  o: ZOrder,
  v: z.union([z.string().max(512), z.number()]),
  id: z.union([z.string().max(64), z.number()]),
});

const cursorValue: Record<SortType, z.ZodType<unknown>> = {
  // Years 1–9999: what both a JavaScript Date and PostgreSQL's timestamptz round-trip.
  date: z.iso.datetime().transform((text, ctx) => {
    const date = new Date(text);
    const year = date.getUTCFullYear();
    if (Number.isNaN(date.getTime()) || year < 1 || year > 9999) {
      ctx.addIssue({ code: "custom", message: "date out of range" });
      return z.NEVER;
    }
    return date;
  }),
  string: text(512, { trim: false }),
  number: z.number().min(-1e15).max(1e15),
};

/**
 * The numbers a column can be compared with: a value an integer column cannot hold fails the query
 * (out of range, or not an integer) instead of refusing the cursor.
 */
function numberValueOf(column: AnyColumn): z.ZodType<unknown> {
  const bound = integerBounds[column.columnType];
  return bound === undefined ? cursorValue.number : z.number().int().min(-bound).max(bound);
}
const integerBounds: Record<string, number> = {
  PgSmallInt: 32_767,
  PgSmallSerial: 32_767,
  PgInteger: 2_147_483_647,
  PgSerial: 2_147_483_647,
  PgBigInt53: Number.MAX_SAFE_INTEGER,
  PgBigSerial53: Number.MAX_SAFE_INTEGER,
};
const cursorId = { uuid: z.uuid(), int: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) };

const badCursor = () => invalidField(["cursor"], "not a cursor of this list and sort");

function encodeValue(value: SortValue): CursorValue {
  return value instanceof Date ? value.toISOString() : value;
}

/** A sort key's cursor values are checked and bound as its column's type. */
function sortTypeOf(column: AnyColumn): SortType {
  const { dataType } = column;
  if (dataType === "date" || dataType === "string" || dataType === "number") return dataType;
  throw new Error(`${column.name}: a ${dataType} column cannot be a sort key`);
}

function idTypeOf(column: AnyColumn): keyof typeof cursorId {
  if (column.columnType === "PgUUID") return "uuid";
  if (column.dataType === "number") return "int";
  throw new Error(`${column.name}: a list's id is a uuid or an integer column`);
}

/** The row's own field `name`: where a sort or id stated as a bare column is read. */
function fieldOf(row: unknown, name: string): SortValue {
  const value: unknown = typeof row === "object" && row !== null ? Reflect.get(row, name) : undefined;
  if (value instanceof Date || typeof value === "string" || typeof value === "number") return value;
  throw new Error(`a list row has no sortable field ${name}`);
}

/**
 * One list: its sort table, its query input (`limit`, `cursor`, `sort`, `order`; extend it with
 * the list's filters) and keyset pages over (sort key, id), so a deep page costs what the first
 * does. A cursor is checked against the sort's column type and range before it reaches SQL.
 */
export function defineList<Row, S extends string>(spec: ListSpec<Row, S>) {
  const isSort = (name: string): name is S => Object.hasOwn(spec.sorts, name);
  const [first, ...rest] = Object.keys(spec.sorts).filter(isSort);
  if (first === undefined) throw new Error("a list needs at least one sort");

  // Each sort key's column, reader and cursor-value schema, built once when the list is defined (a
  // column no cursor can be checked against fails here), not per decoded cursor.
  const sortKeys = new Map(
    [first, ...rest].map((name) => {
      const sort: SortSpec<Row> | AnyColumn = spec.sorts[name];
      const stated = is(sort, Column) ? { column: sort, valueOf: (row: Row) => fieldOf(row, name) } : sort;
      const type = sortTypeOf(stated.column);
      const value = type === "number" ? numberValueOf(stated.column) : cursorValue[type];
      return [name, { ...stated, value }] as const;
    }),
  );
  const sortKey = (name: S) => {
    const key = sortKeys.get(name);
    if (!key) throw new Error(`${name} is not a sort of this list`);
    return key;
  };
  const idSpec: IdSpec<Row> | AnyColumn = spec.id;
  const id = is(idSpec, Column)
    ? { column: idSpec, type: idTypeOf(idSpec), valueOf: (row: Row) => fieldOf(row, "id") }
    : { ...idSpec, type: idTypeOf(idSpec.column) };

  const input = z.strictObject({
    limit: z
      .number()
      .int()
      .min(1)
      .max(MAX_PAGE_SIZE)
      .default(20)
      .meta({ description: `Items per page, 1 to ${MAX_PAGE_SIZE}` }),
    // Described before `.optional()`: the REST generator rebuilds optional query wrappers.
    cursor: text(1024, { trim: false })
      .meta({
        description:
          "Opaque: the `nextCursor` of the previous page, with the same sort and order. Any other value answers 400",
      })
      .optional(),
    sort: z
      .enum([first, ...rest])
      .default(spec.defaultSort)
      .meta({ description: "The field the list is sorted by" }),
    order: ZOrder.default(spec.defaultOrder).meta({ description: "Ascending or descending" }),
  });

  function decode(cursor: string, sort: S, order: Order): { value: unknown; id: unknown } {
    let raw: unknown;
    try {
      raw = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    } catch {
      throw badCursor();
    }
    const parsed = ZCursor.safeParse(raw);
    if (!parsed.success || parsed.data.s !== sort || parsed.data.o !== order) throw badCursor();
    const value = sortKey(sort).value.safeParse(parsed.data.v);
    const idValue = cursorId[id.type].safeParse(parsed.data.id);
    if (!value.success || !idValue.success) throw badCursor();
    return { value: value.data, id: idValue.data };
  }

  /** The cursor's WHERE fragment: a row comparison is one range on the (sort key, id) index, not a filter after the scan. */
  function after(sort: S, order: Order, value: unknown, idValue: unknown): SQL {
    const key = sortKey(sort);
    const comparison = order === "asc" ? sql`>` : sql`<`;
    return sql`(${key.column}, ${id.column}) ${comparison} (${sql.param(value, key.column)}, ${sql.param(idValue, id.column)})`;
  }

  const orderByOf = (sort: S, order: Order) => {
    const direction = order === "asc" ? asc : desc;
    return [direction(sortKey(sort).column), direction(id.column)];
  };

  /** The cursor's WHERE fragment, the ORDER BY, and one row more than the page. */
  function keyset(query: ListInput<S>): Keyset {
    const cursor = query.cursor ? decode(query.cursor, query.sort, query.order) : undefined;
    return {
      where: cursor && after(query.sort, query.order, cursor.value, cursor.id),
      orderBy: orderByOf(query.sort, query.order),
      limit: query.limit + 1,
    };
  }

  /**
   * The same keyset for a statement prepared once per shape (platform/prepared.ts): the cursor's
   * values and the limits are placeholders, which `keysetValues` binds.
   */
  function preparedKeyset(shape: KeysetShape<S>): PreparedKeyset {
    return {
      where: shape.cursor
        ? after(shape.sort, shape.order, sql.placeholder("keysetValue"), sql.placeholder("keysetId"))
        : undefined,
      orderBy: orderByOf(shape.sort, shape.order),
      limit: sql.placeholder("keysetLimit"),
      pageSize: sql.placeholder("keysetPageSize"),
    };
  }

  /** The shape of a query's keyset, and the values of its placeholders (a bad cursor throws 400). */
  function keysetBinding(query: ListInput<S>): { shape: KeysetShape<S>; values: Record<string, unknown> } {
    const cursor = query.cursor ? decode(query.cursor, query.sort, query.order) : undefined;
    return {
      shape: { sort: query.sort, order: query.order, cursor: cursor !== undefined },
      values: {
        keysetLimit: query.limit + 1,
        keysetPageSize: query.limit,
        ...(cursor ? { keysetValue: cursor.value, keysetId: cursor.id } : {}),
      },
    };
  }

  /** Cuts the rows a keyset query returned into the page and the cursor of the next one. */
  function pageFrom<R extends Row>(query: ListInput<S>, rows: R[]): Page<R> {
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    const more = rows.length > query.limit && last !== undefined;
    const nextCursor = more
      ? Buffer.from(
          JSON.stringify({
            s: query.sort,
            o: query.order,
            v: encodeValue(sortKey(query.sort).valueOf(last)),
            id: id.valueOf(last),
          }),
        ).toString("base64url")
      : null;
    return { items, nextCursor };
  }

  return {
    input,
    /**
     * Fetches one page: `fetch` runs the list's query with the cursor's WHERE fragment (AND it
     * with the filters and the access predicate), the ORDER BY and one row more than the page.
     */
    async page<R extends Row>(
      query: ListInput<S>,
      fetch: (keyset: Keyset) => Promise<R[]>,
    ): Promise<Page<R>> {
      return pageFrom(query, await fetch(keyset(query)));
    },
    /**
     * The same in two steps, for a list that exposes its query unexecuted (to EXPLAIN it, or to
     * send its SQL elsewhere): build the query with `keyset(query)`, run it, then `pageFrom`.
     */
    keyset,
    preparedKeyset,
    keysetBinding,
    pageFrom,
    /**
     * Every row the query finds, one keyset page of `batch` rows at a time: for a read that needs
     * all of them (a patient's data export) without one unbounded statement. Each page is a range
     * of the list's index, as a client's deep page is; run it in one transaction with a snapshot
     * of its own (REPEATABLE READ) for pages that agree with each other.
     */
    async *pages<R extends Row>(
      query: Pick<ListInput<S>, "sort" | "order">,
      fetch: (keyset: Keyset) => Promise<R[]>,
      batch: number = MAX_PAGE_SIZE,
    ): AsyncGenerator<R[]> {
      let cursor: string | undefined;
      do {
        const input: ListInput<S> = { ...query, limit: batch, ...(cursor ? { cursor } : {}) };
        const page = pageFrom(input, await fetch(keyset(input)));
        if (page.items.length) yield page.items;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    },
  };
}
