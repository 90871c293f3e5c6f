import { getTableColumns, type Table } from "drizzle-orm";

type ColumnsOf<T extends Table> = T["_"]["columns"];

/**
 * Some of a table's columns, for a select or `returning` that reads only what it needs:
 * `pickColumns(specialties, ["id", "name"])` is `{ id: specialties.id, name: specialties.name }`.
 */
export function pickColumns<T extends Table, K extends keyof ColumnsOf<T>>(
  table: T,
  names: readonly K[],
): Pick<ColumnsOf<T>, K> {
  const columns: ColumnsOf<T> = getTableColumns(table);
  const picked: Partial<Pick<ColumnsOf<T>, K>> = {};
  for (const name of names) picked[name] = columns[name];
  if (!hasEvery(picked, names)) throw new Error(`${String(names)}: not all columns of the table`);
  return picked;
}

function hasEvery<T, K extends keyof T>(
  value: Partial<Pick<T, K>>,
  names: readonly K[],
): value is Pick<T, K> {
  return names.every((name) => value[name] !== undefined);
}
