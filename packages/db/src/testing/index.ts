export {
  dropOrphanedTestDatabases,
  dropPostgresDatabases,
  openTestDatabase,
  type ProcessDatabase,
  preparePgliteTemplate,
  preparePostgresTemplate,
  prepareProcessDatabase,
  type TestDatabase,
  type TestDatabaseSpec,
} from "./databases.ts";
export { statementOf } from "./statement.ts";
