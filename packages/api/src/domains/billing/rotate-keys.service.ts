import { randomUUID } from "node:crypto";
import type { Executor } from "@medical/db";
import { billingEntries, insuranceClaims, insurancePolicies } from "@medical/db/schema";
import { and, asc, eq, gt, isNotNull } from "drizzle-orm";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import { noRotation, type RotationCounts, reencrypt } from "#platform/crypto/rotation.ts";
import type { Deps } from "#platform/deps.ts";
import { BILLING_TEXTS, type BillingText, billingTextContext } from "./billing-phi.ts";

/** One encrypted column: its next batch of rows after an id, and a write guarded on the old value. */
interface TextColumn {
  batch(
    db: Executor,
    after: string | undefined,
    size: number,
  ): Promise<{ id: string; stored: string | null }[]>;
  /** True when the row still held `stored` and now holds `value`. */
  write(db: Executor, id: string, stored: string, value: string): Promise<boolean>;
}

// Unscoped on purpose (`unsafe`): key rotation is an operator's job with no actor and must reach every row.
const unsafeColumns: Record<BillingText, TextColumn> = {
  description: {
    batch: (db, after, size) =>
      db
        .select({ id: billingEntries.id, stored: billingEntries.description })
        .from(billingEntries)
        .where(after ? gt(billingEntries.id, after) : undefined)
        .orderBy(asc(billingEntries.id))
        .limit(size),
    write: async (db, id, stored, value) =>
      (
        await db
          .update(billingEntries)
          .set({ description: value })
          .where(and(eq(billingEntries.id, id), eq(billingEntries.description, stored)))
          .returning({ id: billingEntries.id })
      ).length > 0,
  },
  policyNumber: {
    batch: (db, after, size) =>
      db
        .select({ id: insurancePolicies.id, stored: insurancePolicies.policyNumber })
        .from(insurancePolicies)
        .where(after ? gt(insurancePolicies.id, after) : undefined)
        .orderBy(asc(insurancePolicies.id))
        .limit(size),
    write: async (db, id, stored, value) =>
      (
        await db
          .update(insurancePolicies)
          .set({ policyNumber: value })
          .where(and(eq(insurancePolicies.id, id), eq(insurancePolicies.policyNumber, stored)))
          .returning({ id: insurancePolicies.id })
      ).length > 0,
  },
  claimReason: {
    batch: (db, after, size) =>
      db
        .select({ id: insuranceClaims.id, stored: insuranceClaims.reason })
        .from(insuranceClaims)
        .where(and(isNotNull(insuranceClaims.reason), after ? gt(insuranceClaims.id, after) : undefined))
        .orderBy(asc(insuranceClaims.id))
        .limit(size),
    write: async (db, id, stored, value) =>
      (
        await db
          .update(insuranceClaims)
          .set({ reason: value })
          .where(and(eq(insuranceClaims.id, id), eq(insuranceClaims.reason, stored)))
          .returning({ id: insuranceClaims.id })
      ).length > 0,
  },
};

/** Re-encrypts one column, a batch per audited transaction, adding to `counts`. */
async function rotateColumn(
  deps: Pick<Deps, "db" | "events" | "fieldCipher">,
  audit: AuditMeta,
  text: BillingText,
  batchSize: number,
  counts: RotationCounts,
): Promise<void> {
  const column = unsafeColumns[text];
  const own = noRotation();
  let after: string | undefined;
  let done = false;
  while (!done) {
    done = await auditedTransaction(deps, audit, async (tx, record) => {
      const batch = await column.batch(tx, after, batchSize);
      after = batch.at(-1)?.id;
      for (const row of batch) {
        own.scanned += 1;
        const result = reencrypt(deps.fieldCipher, row.stored, billingTextContext(text, row.id));
        if (result.kind === "unreadable") own.unreadable += 1;
        else if (result.kind === "current") own.current += 1;
        else if (await column.write(tx, row.id, result.stored, result.value)) own.rotated += 1;
        else own.skipped += 1;
      }
      if (batch.length) return false;
      record.audit({
        action: "billing.text.rotate",
        outcome: own.unreadable ? "FAILURE" : "SUCCESS",
        targetType: BILLING_TEXTS[text].targetType,
        details: { field: text, ...own },
      });
      return true;
    });
  }
  counts.scanned += own.scanned;
  counts.rotated += own.rotated;
  counts.current += own.current;
  counts.skipped += own.skipped;
  counts.unreadable += own.unreadable;
}

const isBillingText = (name: string): name is BillingText => Object.hasOwn(BILLING_TEXTS, name);

/**
 * `pnpm keys:rotate`, billing: re-encrypts every entry's description, policy's number and claim's
 * reason not under the current key. A row changed meanwhile is skipped (run again); a row whose
 * text no key decrypts is counted and left as it is.
 */
export async function rotateBillingKeys(
  deps: Pick<Deps, "db" | "events" | "fieldCipher">,
  options: { batchSize?: number } = {},
): Promise<RotationCounts> {
  const counts = noRotation();
  const audit: AuditMeta = {
    actor: null,
    requestId: `keys-rotate-${randomUUID()}`,
    origin: { ip: null, userAgent: "pnpm keys:rotate" },
  };
  for (const text of Object.keys(BILLING_TEXTS).filter(isBillingText))
    await rotateColumn(deps, audit, text, options.batchSize ?? 500, counts);
  return counts;
}
