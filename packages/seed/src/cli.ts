import { join } from "node:path";
import { createDb, DatabaseLockedError } from "@medical/db";
import { z } from "zod";
import { loadSeedConfig } from "./config.ts";

/**
 * `pnpm seed`: demo data for development, built from @medical/api/testing's factories as the
 * domains land. Refuses to run under NODE_ENV=production.
 */
async function main(): Promise<number> {
  const config = loadSeedConfig();
  if (config.production) {
    process.stderr.write("pnpm seed writes demo data and refuses NODE_ENV=production.\n");
    return 1;
  }
  const handle = await createDb(
    config.databaseUrl ? { url: config.databaseUrl } : { dataDir: join(config.dataDir, "pglite") },
  );
  try {
    await handle.migrate();
    process.stdout.write(`Database ready (${handle.kind}); no domain has demo data yet.\n`);
    return 0;
  } finally {
    await handle.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known = error instanceof DatabaseLockedError || error instanceof z.ZodError;
    process.stderr.write(
      `pnpm seed failed: ${known || !(error instanceof Error) ? String(error) : error.stack}\n`,
    );
    process.exitCode = 1;
  },
);
