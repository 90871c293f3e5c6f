import { ConfigError, loadConfig } from "./config.ts";
import { openDatabase } from "./database.ts";
import { createLogger } from "./logger.ts";

/** `pnpm db:migrate`: apply drizzle/ migrations and exit (the server also does it at start). */
const config = loadConfig();
const logger = createLogger(config.logLevel);
try {
  const handle = await openDatabase(config, logger);
  try {
    await handle.migrate();
    logger.info({ database: handle.kind }, "migrations applied");
  } finally {
    await handle.close();
  }
} catch (error) {
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`migration failed: ${message}\n`);
  process.exitCode = 1;
}
