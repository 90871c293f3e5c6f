export {
  dropOrphanedTestDatabases,
  dropPostgresDatabases,
  openTestDatabase,
  preparePgliteTemplate,
  preparePostgresTemplate,
  type TestDatabase,
  type TestDatabaseSpec,
} from "./databases.ts";
export { statementOf } from "./statement.ts";
