import { randomUUID } from "node:crypto";
import type { Executor } from "@medical/db";
import { patients } from "@medical/db/schema";
import { and, asc, eq, gt, isNotNull } from "drizzle-orm";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import { noRotation, type RotationCounts, reencrypt } from "#platform/crypto/rotation.ts";
import type { Deps } from "#platform/deps.ts";
import { clinicalContext } from "./clinical.ts";

/**
 * The next `size` rows with clinical data after id `after`, of every patient: unscoped on purpose,
 * key rotation is an operator's job with no actor and must reach every row.
 */
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
 * key, in batches of `batchSize` rows (one audited transaction each). A row changed concurrently
 * is left alone (counted as skipped); unreadable rows are counted, never overwritten. The batch
 * that finds nothing left records one audit event for the run and its counts, never a value.
 */
export async function rotateClinicalKeys(
  deps: Pick<Deps, "db" | "events" | "fieldCipher">,
  options: { batchSize?: number } = {},
): Promise<RotationCounts> {
  const batchSize = options.batchSize ?? 500;
  const counts = noRotation();
  const audit: AuditMeta = {
    actor: null,
    requestId: `keys-rotate-${randomUUID()}`,
    origin: { ip: null, userAgent: "pnpm keys:rotate" },
  };
  let after: string | undefined;
  let done = false;
  while (!done) {
    done = await auditedTransaction(deps, audit, async (tx, record) => {
      const batch = await unsafeClinicalBatch(tx, after, batchSize);
      after = batch.at(-1)?.id;
      for (const { id, clinicalData: stored } of batch) {
        counts.scanned += 1;
        const result = reencrypt(deps.fieldCipher, stored, clinicalContext(id));
        if (result.kind !== "rotated") {
          counts[result.kind] += 1;
          continue;
        }
        const updated = await tx
          .update(patients)
          .set({ clinicalData: result.value })
          .where(and(eq(patients.id, id), eq(patients.clinicalData, result.stored)))
          .returning({ id: patients.id });
        if (updated.length) counts.rotated += 1;
        else counts.skipped += 1;
      }
      if (batch.length) return false;
      record.audit({
        action: "patient.clinical.rotate",
        outcome: counts.unreadable ? "FAILURE" : "SUCCESS",
        targetType: "patient",
        details: { fieldGroup: "clinical", ...counts },
      });
      return true;
    });
  }
  return counts;
}
