import type { Executor } from "@medical/db";
import { medicalRecords, medicalRecordVersions } from "@medical/db/schema";
import { and, asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { FieldCipher } from "#platform/crypto/field-cipher.ts";
import type { ExportPart } from "#platform/export-part.ts";
import { groupBy } from "#platform/group-by.ts";
import { named } from "#platform/named.ts";
import { recordList } from "./lists.service.ts";
import { RecordTextUnreadable } from "./record-content.ts";
import {
  type RecordRow,
  recordExample,
  selectRecordRows,
  toRecordDto,
  toVersionDto,
  versionExample,
  ZMedicalRecordDto,
  ZMedicalRecordVersionDto,
} from "./record-dto.ts";

/** The document's example: the record at its version 2, with both versions. */
const exportedRecordExample = {
  ...recordExample,
  versions: [
    versionExample,
    {
      ...versionExample,
      id: "5e8a1c3f-7b9d-4e2a-8c6f-1d3b5a7e9c02",
      version: 2,
      editedAt: recordExample.updatedAt,
    },
  ],
};

const ZExportedRecord = named(
  ZMedicalRecordDto.extend({
    deletion: ZMedicalRecordDto.shape.deletion.meta({
      description:
        "Null unless deleted: a deleted entry is part of the export, with who deleted it, when and why",
    }),
    versions: z.array(ZMedicalRecordVersionDto).meta({ description: "Every version, the first one first" }),
  }),
  "ExportedMedicalRecord",
  {
    description:
      "An entry of the patient's medical file as of its current `version`, with every version of it; deleted entries included, marked by `deletion`",
    example: exportedRecordExample,
  },
);
type ExportedRecord = z.infer<typeof ZExportedRecord>;

/** The records of one page with their versions: one query for the page, an index range per record. */
async function withVersions(tx: Executor, cipher: FieldCipher, rows: RecordRow[]): Promise<ExportedRecord[]> {
  const versions = await tx
    .select()
    .from(medicalRecordVersions)
    .where(
      inArray(
        medicalRecordVersions.recordId,
        rows.map((row) => row.record.id),
      ),
    )
    .orderBy(asc(medicalRecordVersions.recordId), asc(medicalRecordVersions.version));
  const byRecord = groupBy(versions, (version) => version.recordId);
  return rows.map((row) => ({
    ...toRecordDto(cipher, row),
    versions: (byRecord.get(row.record.id) ?? []).map((version) => toVersionDto(cipher, row.record, version)),
  }));
}

/**
 * The medical records section of a patient's data export: every entry of the patient's file,
 * oldest first, deleted ones too (the patient has a right to their whole file; decision record
 * 0028), each with every version. Keyset pages of the patient's index; reads by patient, without
 * the access predicate (which hides deleted entries from the patient): the export service decides
 * who exports whose file.
 */
export const medicalRecordsExportPart: ExportPart<ExportedRecord[]> = {
  schema: z.array(ZExportedRecord).meta({
    description: "Every entry of the patient's medical file, oldest first, deleted ones included",
  }),
  example: [exportedRecordExample],
  async read(tx, subject, cipher) {
    const records: ExportedRecord[] = [];
    const pages = recordList.pages({ sort: "createdAt", order: "asc" }, ({ where, orderBy, limit }) =>
      selectRecordRows(tx)
        .where(and(eq(medicalRecords.patientId, subject.patientId), where))
        .orderBy(...orderBy)
        .limit(limit),
    );
    for await (const rows of pages) records.push(...(await withVersions(tx, cipher, rows)));
    return records;
  },
  counts: (section) => ({
    medicalRecords: section.length,
    deletedMedicalRecords: section.filter((record) => record.deletion !== null).length,
    medicalRecordVersions: section.reduce((sum, record) => sum + record.versions.length, 0),
  }),
  isUnreadable: (error) => error instanceof RecordTextUnreadable,
};
