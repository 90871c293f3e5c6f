import { type AnyPgColumn, customType, timestamp, uuid } from "drizzle-orm/pg-core";

/** The columns every table spells the same way (names come from the keys: snake_case casing). */

/** An entity's key: a random UUID. */
export const id = () => uuid().primaryKey().defaultRandom();

/** A required reference to another table's UUID key: `ref(() => users.id)`. */
export const ref = (target: () => AnyPgColumn) => uuid().notNull().references(target);

/**
 * Every instant is stored with its zone, in milliseconds: what a JavaScript Date holds, so a
 * keyset cursor carrying a row's time compares equal to the stored value (microseconds would
 * sort rows of one millisecond past a cursor truncated to it, and a page would skip them).
 */
export const timestamptz = () => timestamp({ withTimezone: true, precision: 3 });

/**
 * PostgreSQL's 64-bit transaction id. Read as a decimal string: it can pass 2^53, and readers
 * only compare it, in SQL.
 */
export const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => "xid8" });
