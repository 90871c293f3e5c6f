import {
  createFieldCipher,
  createInProcessEventBus,
  type RotationCounts,
  rotateAppointmentKeys,
  rotateBillingKeys,
  rotateClinicalKeys,
  rotateRecordKeys,
  rotateStoredAnswers,
} from "@medical/api";
import { loadSeedConfig } from "./config.ts";
import { integerFlag, openDatabase, parseCommandLine, runCli, UsageError } from "./run.ts";

const USAGE = `Usage: ENCRYPTION_KEYS=new:<base64>,old:<base64> pnpm keys:rotate [--batch-size 500]

Re-encrypts every patient's clinical fields, every appointment's reason and cancellation
reason, every medical record's text and deletion reason, every record version's text, every
billing entry's description, insurance policy's number (and the keyed digest that keeps numbers
unique, written too for policies registered before it) and claim's reason, and the stored
answers of idempotent requests that are not under the first key of ENCRYPTION_KEYS; the other
keys only decrypt. Safe to run again and while servers run: a row changed during the run is
skipped (run again), a row no key decrypts is left as it is and reported. Rotate in this
order: put the new key first on every server, run this
command until it reports nothing left, then drop the old key from ENCRYPTION_KEYS.
Environment: ENCRYPTION_KEYS (required), DATABASE_URL or DATA_DIR.
`;

const summary = (what: string, c: RotationCounts) =>
  `${c.scanned} with ${what}: ${c.rotated} re-encrypted, ${c.current} already current, ` +
  `${c.skipped} changed meanwhile, ${c.unreadable} unreadable`;

/**
 * `pnpm keys:rotate`: clinical data, appointment text, medical records, billing text and stored
 * answers under the current key.
 */
async function main(): Promise<number> {
  const { help, flags } = parseCommandLine(process.argv.slice(2), USAGE, ["batch-size"]);
  if (help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const batchSize = integerFlag(
    flags["batch-size"],
    { flag: "--batch-size", fallback: 500, min: 1, max: 10_000 },
    USAGE,
  );
  const config = loadSeedConfig();
  if (!config.encryptionKeys) throw new UsageError(`set ENCRYPTION_KEYS.\n\n${USAGE}`);
  const [current] = config.encryptionKeys;
  const handle = await openDatabase(config);
  try {
    await handle.migrate();
    const deps = {
      db: handle.db,
      events: createInProcessEventBus(),
      fieldCipher: createFieldCipher(config.encryptionKeys),
    };
    const records = await rotateRecordKeys(deps, { batchSize });
    const runs: [string, string, RotationCounts][] = [
      ["Patients", "clinical data", await rotateClinicalKeys(deps, { batchSize })],
      ["Appointments", "a reason", await rotateAppointmentKeys(deps, { batchSize })],
      ["Medical records", "text", records.records],
      ["Medical record versions", "text", records.versions],
      [
        "Billing",
        "a description, policy number or claim reason",
        await rotateBillingKeys(deps, { batchSize }),
      ],
      ["Idempotent requests", "a stored answer", await rotateStoredAnswers(deps, { batchSize })],
    ];
    for (const [table, what, counts] of runs)
      process.stdout.write(
        `${table} (${handle.kind}), current key ${current?.id}: ${summary(what, counts)}.\n`,
      );
    if (runs.some(([, , counts]) => counts.skipped))
      process.stdout.write("Some rows changed during the run: run the command again.\n");
    if (runs.some(([, , counts]) => counts.unreadable)) {
      process.stderr.write(
        "Some rows decrypt with none of the configured keys: add the key they were written with " +
          "to ENCRYPTION_KEYS (after the first one) and run again. They were not changed.\n",
      );
      return 1;
    }
    return 0;
  } finally {
    await handle.close();
  }
}

runCli("pnpm keys:rotate", main);
