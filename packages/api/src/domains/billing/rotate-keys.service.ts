import type { Executor } from "@medical/db";
import { billingEntries, insuranceClaims, insurancePolicies } from "@medical/db/schema";
import { and, asc, eq, gt, isNotNull, isNull } from "drizzle-orm";
import { type AuditedRotation, type RowRotation, rotateAudited } from "#platform/crypto/rotate-audited.ts";
import { noRotation, openForRotation, type RotationCounts, reencrypt } from "#platform/crypto/rotation.ts";
import type { Deps } from "#platform/deps.ts";
import { BILLING_TEXTS, type BillingText, billingTextContext } from "./billing-phi.ts";
import { policyNumberKeys } from "./policy-number.ts";

interface TextRow {
  id: string;
  stored: string | null;
}

/**
 * One encrypted column as a rotation: its rows by id (unscoped: see rotateAudited) and a write
 * guarded on the value read, which reports a row changed meanwhile as skipped.
 */
function textRotation(
  text: BillingText,
  batch: (db: Executor, after: string | undefined, size: number) => Promise<TextRow[]>,
  write: (db: Executor, row: { id: string; stored: string }, value: string) => Promise<unknown[]>,
): AuditedRotation<TextRow> {
  return {
    batch,
    async rotate(tx, row, cipher): Promise<RowRotation> {
      const result = reencrypt(cipher, row.stored, billingTextContext(text, row.id));
      if (result.kind !== "rotated") return result.kind;
      const written = await write(tx, { id: row.id, stored: result.stored }, result.value);
      return written.length ? "rotated" : "skipped";
    },
    audit: { action: "billing.text.rotate", targetType: BILLING_TEXTS[text].targetType, fieldGroup: text },
  };
}

interface PolicyNumberRow {
  id: string;
  provider: string;
  stored: string;
  numberKey: string | null;
}

/**
 * Policy numbers: re-encrypted like the other texts, and their `number_key` recomputed under the
 * current key with them (written where a policy from before the key has none). The write is
 * guarded on both values read. A second active policy with one number (possible only if writes
 * skipped the number lock) stops the run at the unique index: deactivate one, then run it again.
 */
const policyNumberRotation: AuditedRotation<PolicyNumberRow> = {
  batch: (db, after, size) =>
    db
      .select({
        id: insurancePolicies.id,
        provider: insurancePolicies.provider,
        stored: insurancePolicies.policyNumber,
        numberKey: insurancePolicies.numberKey,
      })
      .from(insurancePolicies)
      .where(after ? gt(insurancePolicies.id, after) : undefined)
      .orderBy(asc(insurancePolicies.id))
      .limit(size),
  async rotate(tx, row, cipher): Promise<RowRotation> {
    if (cipher.isCurrent(row.stored) && row.numberKey !== null && cipher.isCurrent(row.numberKey))
      return "current";
    const context = billingTextContext("policyNumber", row.id);
    const policyNumber = openForRotation(cipher, row.stored, context);
    if (policyNumber === null) return "unreadable";
    const [numberKey] = policyNumberKeys(cipher, row.provider, policyNumber);
    const written = await tx
      .update(insurancePolicies)
      .set({
        policyNumber: cipher.isCurrent(row.stored) ? row.stored : cipher.encrypt(policyNumber, context),
        numberKey,
      })
      .where(
        and(
          eq(insurancePolicies.id, row.id),
          eq(insurancePolicies.policyNumber, row.stored),
          row.numberKey === null
            ? isNull(insurancePolicies.numberKey)
            : eq(insurancePolicies.numberKey, row.numberKey),
        ),
      )
      .returning({ id: insurancePolicies.id });
    return written.length ? "rotated" : "skipped";
  },
  audit: { action: "billing.text.rotate", targetType: "insurance_policy", fieldGroup: "policyNumber" },
};

type RotationRun = (
  deps: Pick<Deps, "db" | "events" | "fieldCipher">,
  options: { batchSize?: number },
) => Promise<RotationCounts>;
const run =
  <Row extends { id: string }>(rotation: AuditedRotation<Row>): RotationRun =>
  (deps, options) =>
    rotateAudited(deps, rotation, options);

/** The three billing texts, each a rotation of its own (and an audit event of its own). */
const unsafeRotations: RotationRun[] = [
  run(
    textRotation(
      "description",
      (db, after, size) =>
        db
          .select({ id: billingEntries.id, stored: billingEntries.description })
          .from(billingEntries)
          .where(after ? gt(billingEntries.id, after) : undefined)
          .orderBy(asc(billingEntries.id))
          .limit(size),
      (db, row, value) =>
        db
          .update(billingEntries)
          .set({ description: value })
          .where(and(eq(billingEntries.id, row.id), eq(billingEntries.description, row.stored)))
          .returning({ id: billingEntries.id }),
    ),
  ),
  run(policyNumberRotation),
  run(
    textRotation(
      "claimReason",
      (db, after, size) =>
        db
          .select({ id: insuranceClaims.id, stored: insuranceClaims.reason })
          .from(insuranceClaims)
          .where(and(isNotNull(insuranceClaims.reason), after ? gt(insuranceClaims.id, after) : undefined))
          .orderBy(asc(insuranceClaims.id))
          .limit(size),
      (db, row, value) =>
        db
          .update(insuranceClaims)
          .set({ reason: value })
          .where(and(eq(insuranceClaims.id, row.id), eq(insuranceClaims.reason, row.stored)))
          .returning({ id: insuranceClaims.id }),
    ),
  ),
];

/**
 * `pnpm keys:rotate`, billing: re-encrypts every entry's description, policy's number (re-keying
 * its `number_key`) and claim's reason not under the current key, in audited batches (see
 * rotateAudited); the counts are summed.
 */
export async function rotateBillingKeys(
  deps: Pick<Deps, "db" | "events" | "fieldCipher">,
  options: { batchSize?: number } = {},
): Promise<RotationCounts> {
  const total = noRotation();
  for (const rotation of unsafeRotations) {
    const counts = await rotation(deps, options);
    total.scanned += counts.scanned;
    total.rotated += counts.rotated;
    total.current += counts.current;
    total.skipped += counts.skipped;
    total.unreadable += counts.unreadable;
  }
  return total;
}
