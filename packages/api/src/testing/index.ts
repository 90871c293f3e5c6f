export {
  dropPostgresDatabases,
  openTestDatabase,
  preparePgliteTemplate,
  preparePostgresTemplate,
  type TestDatabase,
  type TestDatabaseSpec,
} from "./db.ts";
export { makeTestDeps } from "./deps.ts";
