import type { Executor } from "@medical/db";
import {
  type MedicalRecordKind,
  type MedicalRecordVersion,
  medicalRecords,
  medicalRecordVersions,
} from "@medical/db/schema";
import { and, asc, desc, eq, or, type SQL, sql } from "drizzle-orm";
import { treatedByDoctorSql } from "#domains/scheduling/public.ts";
import { type AuditMeta, auditRowOfPage } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { defineList, type ListInput, type Page } from "#platform/list.ts";
import { authoredByDoctor, medicalRecordVisibleTo } from "./access.ts";
import { auditingUnreadable } from "./record-audit.ts";
import { type MedicalRecordDto, type RecordRow, selectRecordRows, toRecordDto } from "./record-dto.ts";

/**
 * The two views' keyset: by creation (the default, newest first) or by last change, then id —
 * the tails of medical_records_patient_… and medical_records_doctor_….
 */
export const recordList = defineList<RecordRow, "createdAt" | "updatedAt">({
  sorts: {
    createdAt: { column: medicalRecords.createdAt, valueOf: (row) => row.record.createdAt },
    updatedAt: { column: medicalRecords.updatedAt, valueOf: (row) => row.record.updatedAt },
  },
  id: { column: medicalRecords.id, valueOf: (row) => row.record.id },
  defaultSort: "createdAt",
  defaultOrder: "desc",
});

/** A record's versions, newest first by default. */
export const versionList = defineList<MedicalRecordVersion, "version">({
  sorts: { version: medicalRecordVersions.version },
  id: medicalRecordVersions.id,
  defaultSort: "version",
  defaultOrder: "desc",
});

export interface RecordFilters {
  kind?: MedicalRecordKind | undefined;
  appointmentId?: string | undefined;
  /** The doctor's view only. */
  patientId?: string | undefined;
  authoredByMe?: boolean | undefined;
}

export type ListRecordsInput = ListInput<"createdAt" | "updatedAt"> & RecordFilters;

/** Whose view: a PATIENT's own file, or a DOCTOR's patients' records. */
export type RecordView = "patient" | "doctor";

function filtersOf(
  actor: Pick<Actor, "userId" | "role">,
  view: RecordView,
  input: RecordFilters,
): SQL | undefined {
  const authored = authoredByDoctor(actor);
  return and(
    medicalRecordVisibleTo(actor),
    // A doctor's list starts from their patients and their own entries (see treatedByDoctorSql).
    view === "doctor" ? or(treatedByDoctorSql(actor, medicalRecords.patientId), authored) : undefined,
    input.authoredByMe === true ? authored : undefined,
    // A patient's note has no doctor: "not written by me" includes it.
    input.authoredByMe === false ? sql`not coalesce(${authored}, false)` : undefined,
    input.patientId ? eq(medicalRecords.patientId, input.patientId) : undefined,
    input.kind ? eq(medicalRecords.kind, input.kind) : undefined,
    input.appointmentId ? eq(medicalRecords.appointmentId, input.appointmentId) : undefined,
  );
}

/**
 * One statement (ADR 0024): the page as a CTE — the rows the view shows after the cursor, in
 * order, one more than the page — its audit row written from it (the ids returned, and the patient
 * when the page is one patient's file), and the page's rows in order.
 */
function auditedPageStatement(
  db: Executor,
  audit: AuditMeta,
  actor: Pick<Actor, "userId" | "role">,
  view: RecordView,
  input: ListRecordsInput,
) {
  const { where, orderBy, limit } = recordList.keyset(input);
  const page = db.$with("page").as(
    selectRecordRows(db)
      .where(and(filtersOf(actor, view, input), where))
      .orderBy(...orderBy)
      .limit(limit),
  );
  const direction = input.order === "asc" ? asc : desc;
  const sortKey = input.sort === "updatedAt" ? page.record.updatedAt : page.record.createdAt;
  const inOrder = [direction(sortKey), direction(page.record.id)];
  const shown = sql`array(select ${page.record.id} from ${page} order by ${sql.join(inOrder, sql`, `)} limit ${input.limit})`;
  const auditRow = auditRowOfPage(
    db,
    audit,
    { action: "medical_record.list", outcome: "SUCCESS", targetType: "medical_record", details: { view } },
    {
      resourceIds: shown,
      patientId:
        view === "patient"
          ? sql`(select ${page.record.patientId} from ${page} limit 1)`
          : (input.patientId ?? null),
    },
  );
  return db
    .with(page, auditRow)
    .select()
    .from(page)
    .orderBy(...inOrder);
}

/**
 * A page of the records the view shows, role-scoped by `medicalRecordVisibleTo`, deleted ones
 * never listed. Items carry the records' text (PHI): the page and its audit event are one
 * statement; a text that then fails to decrypt is audited after it (a FAILURE, a generic 500).
 */
export function listRecords(
  deps: Pick<Deps, "db" | "fieldCipher">,
  audit: AuditMeta,
  actor: Pick<Actor, "userId" | "role">,
  view: RecordView,
  input: ListRecordsInput,
): Promise<Page<MedicalRecordDto>> {
  return auditingUnreadable(deps, audit, "medical_record.list", async () => {
    const rows = await auditedPageStatement(deps.db, audit, actor, view, input);
    const page = recordList.pageFrom(input, rows);
    return {
      items: page.items.map((row) => toRecordDto(deps.fieldCipher, row)),
      nextCursor: page.nextCursor,
    };
  });
}
