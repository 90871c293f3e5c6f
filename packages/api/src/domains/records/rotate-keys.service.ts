import { randomUUID } from "node:crypto";
import type { Transaction } from "@medical/db";
import { medicalRecords, medicalRecordVersions } from "@medical/db/schema";
import { and, asc, eq, gt, isNull } from "drizzle-orm";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import { noRotation, type RotationCounts, reencrypt } from "#platform/crypto/rotation.ts";
import type { Deps } from "#platform/deps.ts";
import { DELETION_REASON, RECORD_CONTENT, sealedContext, VERSION_CONTENT } from "./record-content.ts";

type RotateDeps = Pick<Deps, "db" | "events" | "fieldCipher">;

/** What one row's rotation did: one of RotationCounts' outcomes. */
type RowOutcome = "rotated" | "current" | "skipped" | "unreadable";

interface RotationPass<Row extends { id: string }> {
  /** The next `size` rows after id `after`, of everybody (see the callers' `unsafe` batches). */
  batch(tx: Transaction, after: string | undefined, size: number): Promise<Row[]>;
  rotate(tx: Transaction, row: Row): Promise<RowOutcome>;
  /** The closing audit event's action, with the counts as its details. */
  action: string;
}

/** Walks a table by id, a batch per audited transaction, and audits the counts once at the end. */
async function rotatePass<Row extends { id: string }>(
  deps: RotateDeps,
  audit: AuditMeta,
  pass: RotationPass<Row>,
  batchSize: number,
): Promise<RotationCounts> {
  const counts = noRotation();
  let after: string | undefined;
  let done = false;
  while (!done) {
    done = await auditedTransaction(deps, audit, async (tx, record) => {
      const batch = await pass.batch(tx, after, batchSize);
      after = batch.at(-1)?.id;
      for (const row of batch) {
        counts.scanned += 1;
        counts[await pass.rotate(tx, row)] += 1;
      }
      if (batch.length) return false;
      record.audit({
        action: pass.action,
        outcome: counts.unreadable ? "FAILURE" : "SUCCESS",
        targetType: "medical_record",
        details: { ...counts },
      });
      return true;
    });
  }
  return counts;
}

/**
 * Every record's current text and deletion reason: unscoped on purpose, key rotation is an
 * operator's job with no actor and must reach every row.
 */
function unsafeRecordBatch(tx: Transaction, after: string | undefined, size: number) {
  return tx
    .select({
      id: medicalRecords.id,
      content: medicalRecords.content,
      deletionReason: medicalRecords.deletionReason,
    })
    .from(medicalRecords)
    .where(after ? gt(medicalRecords.id, after) : undefined)
    .orderBy(asc(medicalRecords.id))
    .limit(size);
}

/** Every version's text: unscoped, like unsafeRecordBatch. */
function unsafeVersionBatch(tx: Transaction, after: string | undefined, size: number) {
  return tx
    .select({ id: medicalRecordVersions.id, content: medicalRecordVersions.content })
    .from(medicalRecordVersions)
    .where(after ? gt(medicalRecordVersions.id, after) : undefined)
    .orderBy(asc(medicalRecordVersions.id))
    .limit(size);
}

/**
 * `pnpm keys:rotate`, medical records: re-encrypts each record's text and deletion reason, and
 * each version's text, that are not under the current key. A row changed meanwhile is skipped
 * (run again: the update is guarded on the values read); a row no key decrypts is counted and left
 * as it is.
 */
export async function rotateRecordKeys(
  deps: RotateDeps,
  options: { batchSize?: number } = {},
): Promise<{ records: RotationCounts; versions: RotationCounts }> {
  const batchSize = options.batchSize ?? 500;
  const cipher = deps.fieldCipher;
  const audit: AuditMeta = {
    actor: null,
    requestId: `keys-rotate-${randomUUID()}`,
    origin: { ip: null, userAgent: "pnpm keys:rotate" },
  };
  const records = await rotatePass(
    deps,
    audit,
    {
      action: "medical_record.text.rotate",
      batch: unsafeRecordBatch,
      async rotate(tx, row) {
        const content = reencrypt(cipher, row.content, sealedContext(RECORD_CONTENT, row.id));
        const reason = reencrypt(cipher, row.deletionReason, sealedContext(DELETION_REASON, row.id));
        if (content.kind === "unreadable" || reason.kind === "unreadable") return "unreadable";
        if (content.kind === "current" && reason.kind === "current") return "current";
        const updated = await tx
          .update(medicalRecords)
          .set({
            ...(content.kind === "rotated" ? { content: content.value } : {}),
            ...(reason.kind === "rotated" ? { deletionReason: reason.value } : {}),
          })
          .where(
            and(
              eq(medicalRecords.id, row.id),
              eq(medicalRecords.content, row.content),
              row.deletionReason === null
                ? isNull(medicalRecords.deletionReason)
                : eq(medicalRecords.deletionReason, row.deletionReason),
            ),
          )
          .returning({ id: medicalRecords.id });
        return updated.length ? "rotated" : "skipped";
      },
    },
    batchSize,
  );
  const versions = await rotatePass(
    deps,
    audit,
    {
      action: "medical_record.version_text.rotate",
      batch: unsafeVersionBatch,
      async rotate(tx, row) {
        const content = reencrypt(cipher, row.content, sealedContext(VERSION_CONTENT, row.id));
        if (content.kind !== "rotated") return content.kind;
        const updated = await tx
          .update(medicalRecordVersions)
          .set({ content: content.value })
          .where(and(eq(medicalRecordVersions.id, row.id), eq(medicalRecordVersions.content, row.content)))
          .returning({ id: medicalRecordVersions.id });
        return updated.length ? "rotated" : "skipped";
      },
    },
    batchSize,
  );
  return { records, versions };
}
