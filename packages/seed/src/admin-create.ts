import { createArgon2Hasher } from "@medical/api";
import { describeExisting, ensureAdmin } from "./admin.ts";
import { loadSeedConfig } from "./config.ts";
import { operatorAudit, operatorDeps } from "./operator.ts";
import { openDatabase, parseCommandLine, runCli, UsageError } from "./run.ts";

const USAGE = `Usage: pnpm admin:create [--email admin@example.org]

Creates the first ADMIN (active, email verified) with a generated password, printed once.
Works in every environment, production included. If the email already has an account,
nothing is changed. Environment: ADMIN_EMAIL (unless --email), ADMIN_FIRST_NAME,
ADMIN_LAST_NAME, DATABASE_URL or DATA_DIR, ARGON2_MEMORY_KIB, ARGON2_ITERATIONS.
`;

/** `pnpm admin:create`: the first admin, in any environment. */
async function main(): Promise<number> {
  const { help, flags } = parseCommandLine(process.argv.slice(2), USAGE, ["email"]);
  if (help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const config = loadSeedConfig(process.env, flags.email === undefined ? {} : { ADMIN_EMAIL: flags.email });
  const { email } = config.admin;
  if (email === undefined) throw new UsageError(`set ADMIN_EMAIL or pass --email.\n\n${USAGE}`);
  if (config.admin.password !== undefined) {
    // A password kept in the environment outlives the command (shell history, process listings).
    process.stderr.write("ADMIN_PASSWORD is ignored: admin:create always generates the password.\n");
  }
  const hasher = createArgon2Hasher(config.argon2);
  const handle = await openDatabase(config);
  try {
    await handle.migrate();
    const result = await ensureAdmin(operatorDeps(handle.db, hasher), operatorAudit(), {
      email,
      firstName: config.admin.firstName,
      lastName: config.admin.lastName,
      via: "cli",
    });
    if (!result.created) {
      const line = `${describeExisting(result.user)}\n`;
      if (result.user.role === "ADMIN") process.stdout.write(line);
      else process.stderr.write(line);
      return 0;
    }
    if (result.generatedPassword === undefined) throw new Error("ensureAdmin generated no password");
    if (!process.stdout.isTTY) {
      process.stderr.write("Note: stdout is not a terminal; whatever captures it now holds the password.\n");
    }
    // The only place the password ever appears; the database keeps its argon2id hash.
    process.stdout.write(
      `Created ADMIN ${result.user.email} (active, email verified).\n` +
        `Password: ${result.generatedPassword}\n` +
        "It is shown this once: store it in a password manager, or change it after signing in " +
        "(POST /api/v1/users/me/password).\n",
    );
    return 0;
  } finally {
    await handle.close();
  }
}

runCli("pnpm admin:create", main);
