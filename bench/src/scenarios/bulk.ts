import { hash } from "@node-rs/argon2";
import { ARGON2_COST, BENCH_ENCRYPTION_KEY } from "../identity.ts";
import type { ScenarioData } from "../scenario.ts";

/** Generated doctors, and as many patients: with them come 1,024,990 appointments (@medical/seed's load). */
export const BULK_DOCTORS = 100_000;
/** The password of every generated account (the seed's demo password). */
export const BULK_PASSWORD = "Algeria123!";

/**
 * The generated load shared by the doctor search, the appointment views and the records list, the
 * same as `pnpm seed --size 100000`: one object, so the snapshot loads it once whichever scenarios use it.
 */
export const bulkData: ScenarioData = {
  // 2: the load ends with VACUUM (ANALYZE) (visibility map and hint bits set in the snapshot).
  // 3: appointments (ten per doctor, 12,500 for the first doctor and for the first patient).
  // 4: clinical records of completed visits (all of the first doctor's), sealed with the bench key.
  version: 4,
  async seed(db) {
    // Imported here: the bare twin loads this module too and must not carry the seed's imports.
    const [{ createProgressBar, loadBulk }, { createFieldCipher, sealRecordText }] = await Promise.all([
      import("@medical/seed/bulk"),
      import("@medical/api"),
    ]);
    const cipher = createFieldCipher([BENCH_ENCRYPTION_KEY]);
    const passwordHash = await hash(BULK_PASSWORD, {
      algorithm: 2, // Argon2id (a const enum the package declares, unreadable under isolated modules)
      memoryCost: ARGON2_COST.memoryKib,
      timeCost: ARGON2_COST.iterations,
      parallelism: ARGON2_COST.parallelism,
    });
    const bar = createProgressBar(process.stderr);
    try {
      await loadBulk(db, {
        size: BULK_DOCTORS,
        passwordHash,
        sealRecord: (table, rowId, content) => sealRecordText(cipher, table, rowId, content),
        onProgress: (progress) => bar.update(progress),
      });
    } finally {
      bar.done();
    }
  },
};
