import type { Executor } from "@medical/db";
import {
  type MedicalRecordKind,
  type MedicalRecordVersion,
  medicalRecords,
  medicalRecordVersions,
} from "@medical/db/schema";
import { and, asc, desc, eq, getTableColumns, or, type SQL, sql } from "drizzle-orm";
import { unionAll } from "drizzle-orm/pg-core";
import { careAppointmentsBeyond, treatedByDoctorSql } from "#domains/scheduling/public.ts";
import { type AuditMeta, auditRowOfPage } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { defineList, type ListInput, type Page } from "#platform/list.ts";
import { authoredByDoctor, medicalRecordVisibleTo } from "./access.ts";
import { auditingUnreadable } from "./record-audit.ts";
import { type MedicalRecordDto, type RecordRow, selectPageRows, toRecordDto } from "./record-dto.ts";

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
  input: RecordFilters,
  options: { perRow?: boolean } = {},
): SQL | undefined {
  const authored = authoredByDoctor(actor);
  return and(
    medicalRecordVisibleTo(actor, options),
    input.authoredByMe === true ? authored : undefined,
    // A patient's note has no doctor: "not written by me" includes it.
    input.authoredByMe === false ? sql`not coalesce(${authored}, false)` : undefined,
    input.patientId ? eq(medicalRecords.patientId, input.patientId) : undefined,
    input.kind ? eq(medicalRecords.kind, input.kind) : undefined,
    input.appointmentId ? eq(medicalRecords.appointmentId, input.appointmentId) : undefined,
  );
}

/** The column each sort reads, as the page's rows name it. */
const SORT_OUTPUT = { createdAt: "created_at", updatedAt: "updated_at" } as const;

/**
 * Care appointments up to which a doctor's list reads their patients' records through the
 * patients' index; beyond, it walks every record in the list's order (docs/decisions/0029). About
 * the square root of a page times the patients of a clinic: both plans stay within a few
 * milliseconds either side of it.
 */
export const WALK_BEYOND_CARE_APPOINTMENTS = 1_000;

/**
 * The page, unexecuted (the index test EXPLAINs it): the records the view shows after the cursor,
 * in order, one more than the page, without their parties' names (joined to the page's rows only).
 * A patient's file walks medical_records_patient_…. A doctor's view has two plans in one
 * statement, and `practice` (a CTE, one row) lets exactly one of them run: for a doctor with at
 * most WALK_BEYOND_CARE_APPOINTMENTS care appointments, their patients' records from the patients'
 * index (treatedByDoctorSql) and their own entries, sorted; for a larger practice, a walk of
 * medical_records_created (or _updated) in order, keeping the rows the doctor may read, which
 * stops at the page's end instead of sorting thousands of patients' records.
 */
export function recordsPageQuery(
  db: Executor,
  actor: Pick<Actor, "userId" | "role">,
  view: RecordView,
  input: ListRecordsInput,
) {
  const { where, orderBy, limit } = recordList.keyset(input);
  const practice = db.$with("practice").as(careAppointmentsBeyond(db, actor, WALK_BEYOND_CARE_APPOINTMENTS));
  const rows = (plan?: SQL, options: { perRow?: boolean } = {}) =>
    db
      .select({ record: getTableColumns(medicalRecords) })
      .from(medicalRecords)
      .where(and(filtersOf(actor, input, options), where, plan))
      .orderBy(...orderBy)
      .limit(limit);
  if (view === "patient") return { ctes: [], page: rows() };
  const large = sql`(select ${practice.beyond} from ${practice})`;
  const treated = or(treatedByDoctorSql(actor, medicalRecords.patientId), authoredByDoctor(actor));
  const direction = input.order === "asc" ? asc : desc;
  // The union's own order names its output columns (the branches' table is out of its scope).
  const page = unionAll(rows(and(sql`not ${large}`, treated)), rows(large, { perRow: true }))
    .orderBy(direction(sql.identifier(SORT_OUTPUT[input.sort])), direction(sql.identifier("id")))
    .limit(limit);
  return { ctes: [practice], page };
}

/**
 * One statement (ADR 0024): the page as a CTE, its audit row written from it (the ids returned,
 * and the patient when the page is one patient's file), and the page's rows in order with their
 * parties' names.
 */
function auditedPageStatement(
  db: Executor,
  audit: AuditMeta,
  actor: Pick<Actor, "userId" | "role">,
  view: RecordView,
  input: ListRecordsInput,
) {
  const { ctes, page: pageQuery } = recordsPageQuery(db, actor, view, input);
  const page = db.$with("page").as(pageQuery);
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
  return selectPageRows(db.with(...ctes, page, auditRow), page).orderBy(...inOrder);
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
