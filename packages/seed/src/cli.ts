import { createArgon2Hasher } from "@medical/api";
import { DEMO_ADMIN, describeExisting, ensureAdmin } from "./admin.ts";
import { loadSeedConfig } from "./config.ts";
import { openDatabase, runCli } from "./run.ts";

/**
 * `pnpm seed`: demo data for development, built from @medical/api/testing's factories as the
 * domains land. Refuses to run under NODE_ENV=production. A second run changes nothing.
 */
async function main(): Promise<number> {
  const config = loadSeedConfig();
  if (config.production) {
    process.stderr.write("pnpm seed writes demo data and refuses NODE_ENV=production.\n");
    return 1;
  }
  const { email, password } = config.admin;
  const fromEnv = email !== undefined && password !== undefined;
  if (!fromEnv && (email !== undefined || password !== undefined)) {
    process.stderr.write(
      "ADMIN_EMAIL and ADMIN_PASSWORD are used together; with only one set, the demo admin is seeded.\n",
    );
  }
  const hasher = createArgon2Hasher(config.argon2);
  const handle = await openDatabase(config);
  try {
    await handle.migrate();
    const result = await ensureAdmin(handle.db, hasher, {
      ...(fromEnv ? { email, password } : DEMO_ADMIN),
      firstName: config.admin.firstName,
      lastName: config.admin.lastName,
      via: "seed",
    });
    if (!result.created) {
      const label = fromEnv ? "Admin" : "Demo admin (development only)";
      process.stdout.write(`${label}: ${describeExisting(result.user)}\n`);
    } else if (fromEnv) process.stdout.write(`Admin: created ${result.user.email} with ADMIN_PASSWORD.\n`);
    else
      process.stdout.write(
        `Admin: created the DEMO account ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password} ` +
          "(a demo account for development; set ADMIN_EMAIL and ADMIN_PASSWORD for your own).\n",
      );
    process.stdout.write(`Database ready (${handle.kind}); no domain has demo data yet.\n`);
    return 0;
  } finally {
    await handle.close();
  }
}

runCli("pnpm seed", main);
