import { join } from "node:path";
import { createDb, type DbHandle } from "@medical/db";
import type { Logger } from "pino";
import type { Config } from "./config.ts";

/** PostgreSQL with DATABASE_URL, else the embedded PGlite folder DATA_DIR/pglite (locked). */
export function openDatabase(
  config: Pick<Config, "databaseUrl" | "dataDir" | "env">,
  logger: Logger,
): Promise<DbHandle> {
  if (config.databaseUrl) return createDb({ url: config.databaseUrl });
  if (config.env === "production") {
    logger.warn("running on embedded PGlite: set DATABASE_URL to use PostgreSQL in production");
  }
  return createDb({ dataDir: join(config.dataDir, "pglite") });
}
