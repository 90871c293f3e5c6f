import type { Executor } from "@medical/db";
import { medicalRecords, medicalRecordVersions } from "@medical/db/schema";
import { and, asc, eq, gt, isNull } from "drizzle-orm";
import { rotateAudited } from "#platform/crypto/rotate-audited.ts";
import { type RotationCounts, reencrypt } from "#platform/crypto/rotation.ts";
import type { Deps } from "#platform/deps.ts";
import { DELETION_REASON, RECORD_CONTENT, sealedContext, VERSION_CONTENT } from "./record-content.ts";

type RotateDeps = Pick<Deps, "db" | "events" | "fieldCipher">;

/** The next `size` records' text and deletion reason after id `after`, of everybody (see rotateAudited). */
function unsafeRecordBatch(db: Executor, after: string | undefined, size: number) {
  return db
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

/** The next `size` versions' text after id `after`, of everybody (see rotateAudited). */
function unsafeVersionBatch(db: Executor, after: string | undefined, size: number) {
  return db
    .select({ id: medicalRecordVersions.id, content: medicalRecordVersions.content })
    .from(medicalRecordVersions)
    .where(after ? gt(medicalRecordVersions.id, after) : undefined)
    .orderBy(asc(medicalRecordVersions.id))
    .limit(size);
}

/**
 * `pnpm keys:rotate`, medical records: re-encrypts each record's text and deletion reason, then each
 * version's text, that are not under the current key, in audited batches of `batchSize` rows (see
 * rotateAudited). The versions' database trigger lets exactly this change through: their text,
 * re-encrypted.
 */
export async function rotateRecordKeys(
  deps: RotateDeps,
  options: { batchSize?: number } = {},
): Promise<{ records: RotationCounts; versions: RotationCounts }> {
  const records = await rotateAudited(
    deps,
    {
      batch: unsafeRecordBatch,
      async rotate(tx, row, cipher) {
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
      audit: { action: "medical_record.text.rotate", targetType: "medical_record", fieldGroup: "record" },
    },
    options,
  );
  const versions = await rotateAudited(
    deps,
    {
      batch: unsafeVersionBatch,
      async rotate(tx, row, cipher) {
        const content = reencrypt(cipher, row.content, sealedContext(VERSION_CONTENT, row.id));
        if (content.kind !== "rotated") return content.kind;
        const updated = await tx
          .update(medicalRecordVersions)
          .set({ content: content.value })
          .where(and(eq(medicalRecordVersions.id, row.id), eq(medicalRecordVersions.content, row.content)))
          .returning({ id: medicalRecordVersions.id });
        return updated.length ? "rotated" : "skipped";
      },
      audit: { action: "medical_record.text.rotate", targetType: "medical_record", fieldGroup: "version" },
    },
    options,
  );
  return { records, versions };
}
