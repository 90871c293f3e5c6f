import type { Executor } from "@medical/db";
import { patients } from "@medical/db/schema";
import { and, asc, eq, gt, isNotNull } from "drizzle-orm";
import { rotateAudited } from "#platform/crypto/rotate-audited.ts";
import { type RotationCounts, reencrypt } from "#platform/crypto/rotation.ts";
import type { Deps } from "#platform/deps.ts";
import { clinicalContext } from "./clinical.ts";

/** The next `size` rows with clinical data after id `after`, of every patient (unscoped: see rotateAudited). */
function unsafeClinicalBatch(db: Executor, after: string | undefined, size: number) {
  return db
    .select({ id: patients.id, clinicalData: patients.clinicalData })
    .from(patients)
    .where(and(isNotNull(patients.clinicalData), after ? gt(patients.id, after) : undefined))
    .orderBy(asc(patients.id))
    .limit(size);
}

/**
 * `pnpm keys:rotate`: re-encrypts every patient's clinical data that is not under the current
 * key, in audited batches of `batchSize` rows (see rotateAudited).
 */
export function rotateClinicalKeys(
  deps: Pick<Deps, "db" | "events" | "fieldCipher">,
  options: { batchSize?: number } = {},
): Promise<RotationCounts> {
  return rotateAudited(
    deps,
    {
      batch: unsafeClinicalBatch,
      async rotate(tx, { id, clinicalData: stored }, cipher) {
        const result = reencrypt(cipher, stored, clinicalContext(id));
        if (result.kind !== "rotated") return result.kind;
        const updated = await tx
          .update(patients)
          .set({ clinicalData: result.value })
          .where(and(eq(patients.id, id), eq(patients.clinicalData, result.stored)))
          .returning({ id: patients.id });
        return updated.length ? "rotated" : "skipped";
      },
      audit: { action: "patient.clinical.rotate", targetType: "patient", fieldGroup: "clinical" },
    },
    options,
  );
}
