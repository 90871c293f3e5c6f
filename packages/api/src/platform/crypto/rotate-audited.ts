import { randomUUID } from "node:crypto";
import type { Transaction } from "@medical/db";
import { type AuditMeta, type AuditTargetType, auditedTransaction } from "../audit/audit.ts";
import type { Deps } from "../deps.ts";
import type { FieldCipher } from "./field-cipher.ts";
import { noRotation, type RotationCounts } from "./rotation.ts";

/** What re-encrypting one row did; "skipped" when its guarded write found it changed meanwhile. */
export type RowRotation = Exclude<keyof RotationCounts, "scanned">;

/** One kind of row `pnpm keys:rotate` walks by id, in audited batches. */
export interface AuditedRotation<Row extends { id: string }> {
  /**
   * The next `size` rows with encrypted values after id `after`, of everybody: unscoped on
   * purpose, key rotation is an operator's job with no actor and must reach every row.
   */
  batch(tx: Transaction, after: string | undefined, size: number): Promise<Row[]>;
  /**
   * Re-encrypts the row's values not under the current key (`reencrypt`), the write guarded on the
   * values read, so a row changed meanwhile is skipped, never overwritten.
   */
  rotate(tx: Transaction, row: Row, cipher: FieldCipher): Promise<RowRotation>;
  /** The run's one audit event: its counts, never a value. */
  audit: { action: string; targetType: AuditTargetType; fieldGroup: string };
}

/**
 * Runs one rotation: a batch of `batchSize` rows per audited transaction until none is left; the
 * batch that finds nothing records the run's event (FAILURE when a value no key decrypts was left
 * as it is). Skipped rows need another run.
 */
export async function rotateAudited<Row extends { id: string }>(
  deps: Pick<Deps, "db" | "events" | "fieldCipher">,
  rotation: AuditedRotation<Row>,
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
      const batch = await rotation.batch(tx, after, batchSize);
      after = batch.at(-1)?.id;
      for (const row of batch) {
        counts.scanned += 1;
        counts[await rotation.rotate(tx, row, deps.fieldCipher)] += 1;
      }
      if (batch.length) return false;
      const { action, targetType, fieldGroup } = rotation.audit;
      record.audit({
        action,
        outcome: counts.unreadable ? "FAILURE" : "SUCCESS",
        targetType,
        details: { fieldGroup, ...counts },
      });
      return true;
    });
  }
  return counts;
}
