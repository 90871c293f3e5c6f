export {
  type CreateDbOptions,
  createDb,
  createSqlRenderer,
  type Database,
  type DatabaseKind,
  type DbHandle,
  dumpPglite,
  type Executor,
  type Transaction,
} from "./client.ts";
export { type PgErrorFacts, pgErrorFacts } from "./errors.ts";
export { DatabaseLockedError } from "./lock.ts";
export type { QueryObserver } from "./observe.ts";
export { MIGRATIONS_FOLDER } from "./paths.ts";
export { pickColumns } from "./pick-columns.ts";
export { selectRows } from "./rows.ts";
