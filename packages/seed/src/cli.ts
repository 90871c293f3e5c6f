import { createArgon2Hasher, createFieldCipher } from "@medical/api";
import { DEMO_ADMIN, describeExisting, type EnsureAdminResult } from "./admin.ts";
import { type BulkResult, createProgressBar } from "./bulk/index.ts";
import { loadSeedConfig, seedEncryptionKeys } from "./config.ts";
import { DEMO_PASSWORD } from "./demo/build.ts";
import { describeDemo } from "./demo/load.ts";
import { integerFlag, openDatabase, parseCommandLine, runCli } from "./run.ts";
import { runSeed, type SignIn } from "./seed.ts";

const USAGE = `Usage: pnpm seed [--size N]

Development data: the demo admin (or ADMIN_EMAIL + ADMIN_PASSWORD), the ten specialties,
Algerian demo doctors, patients and front-desk staff (password Algeria123!), the doctors' weekly
hours, appointments (past visits, upcoming, cancelled and missed ones, booked through the API's
services), patients' reviews of the doctors, medical records (a clinical record of every past
visit by its doctor, a few patients' history notes, and two edits that make versions, written
through the records services), and billing: a bill of every past visit, CNAS, CASNOS and private
insurance policies, and claims in every status (written through the billing services as the front
desk). The PHI is encrypted with the server's key. Deterministic; a second run changes nothing.
Prints one sign-in per role last. Refuses NODE_ENV=production.

  --size N    also add N generated doctors and N generated patients (doctor.000001@load.demo.dz…),
              numbered after those of earlier runs, their appointments (10 per doctor; the run's
              first doctor and first patient with N/8 each, at most 13,500) and clinical records of
              completed visits (every one of the first doctor's, one in ten elsewhere, encrypted with
              the server's key), with set-based inserts and a progress bar
`;

/** `pnpm seed`: demo data for development. Refuses to run under NODE_ENV=production. */
async function main(): Promise<number> {
  const { help, flags } = parseCommandLine(process.argv.slice(2), USAGE, ["size"]);
  if (help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const size = integerFlag(flags.size, { flag: "--size", fallback: 0, min: 0, max: 10_000_000 }, USAGE);
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
  const handle = await openDatabase(config);
  const bar = createProgressBar(process.stderr);
  try {
    await handle.migrate();
    const report = await runSeed(handle.db, {
      hasher: createArgon2Hasher(config.argon2),
      fieldCipher: createFieldCipher(seedEncryptionKeys(config)),
      ...(fromEnv ? { admin: { email, password } } : {}),
      adminNames: { firstName: config.admin.firstName, lastName: config.admin.lastName },
      size,
      onProgress: (progress) => bar.update(progress),
    }).finally(() => bar.done());
    process.stdout.write(`${describeAdmin(report.admin, fromEnv)}\n${describeDemo(report.demo)}\n`);
    if (report.bulk) process.stdout.write(`${describeBulk(report.bulk, handle.kind)}\n`);
    process.stdout.write(describeSignIns(report.signIns));
    return 0;
  } finally {
    await handle.close();
  }
}

function describeAdmin(result: EnsureAdminResult, fromEnv: boolean): string {
  if (!result.created)
    return `${fromEnv ? "Admin" : "Demo admin (development only)"}: ${describeExisting(result.user)}`;
  if (fromEnv) return `Admin: created ${result.user.email} with ADMIN_PASSWORD.`;
  return (
    `Admin: created the DEMO account ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password} ` +
    "(a demo account for development; set ADMIN_EMAIL and ADMIN_PASSWORD for your own)."
  );
}

/** The sign-ins as a table, last, so they are what the terminal shows when the command ends. */
function describeSignIns(signIns: SignIn[]): string {
  const width = Math.max(...signIns.map(({ email }) => email.length));
  const rows = signIns.map(
    ({ role, email, password }) =>
      `  ${role.padEnd(8)} ${email.padEnd(width)}  ${password ?? "(your ADMIN_PASSWORD)"}`,
  );
  return `\nSign in (development only) as:\n${rows.join("\n")}\n`;
}

function describeBulk(bulk: BulkResult, kind: string): string {
  const indexes = bulk.rebuiltIndexes.length ? `; rebuilt ${bulk.rebuiltIndexes.length} indexes` : "";
  return (
    `Load: added doctors ${bulk.doctors.first}–${bulk.doctors.last} and patients ` +
    `${bulk.patients.first}–${bulk.patients.last} (password ${DEMO_PASSWORD}) with ` +
    `${bulk.appointments.total.toLocaleString("en")} appointments (${bulk.appointments.busy.toLocaleString("en")} ` +
    `for each of doctor ${bulk.doctors.first} and patient ${bulk.patients.first}) and ` +
    `${bulk.records.total.toLocaleString("en")} medical records (${bulk.records.busy.toLocaleString("en")} ` +
    `by doctor ${bulk.doctors.first}) in ` +
    `${(bulk.milliseconds / 1000).toFixed(1)} s on ${kind}${indexes}.`
  );
}

runCli("pnpm seed", main);
