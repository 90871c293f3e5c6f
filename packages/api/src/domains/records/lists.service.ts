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
import {
  type AuditMeta,
  auditRowOfPage,
  PREPARED_PAGE_READER,
  pageReaderValues,
} from "#platform/audit/audit.ts";
import type { Actor, ActorRef } from "#platform/auth/actor.ts";
import type { Role } from "#platform/auth/roles.ts";
import type { Deps } from "#platform/deps.ts";
import { defineList, type KeysetShape, type ListInput, type Page } from "#platform/list.ts";
import { preparedPerShape } from "#platform/prepared.ts";
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

/**
 * What decides the text of a list's statement: the caller's role and view, the keyset's sort,
 * order and cursor, and which filters are set. Every value is a placeholder (`bindingOf`).
 */
export type RecordsShape = KeysetShape<"createdAt" | "updatedAt"> & {
  role: Role;
  view: RecordView;
  kind: boolean;
  appointmentId: boolean;
  patientId: boolean;
  authoredByMe: boolean | null;
};

/** The shape of a request's statement and the values of its placeholders (a bad cursor throws 400). */
export function bindingOf(actor: Pick<Actor, "userId" | "role">, view: RecordView, input: ListRecordsInput) {
  const keyset = recordList.keysetBinding(input);
  const shape: RecordsShape = {
    ...keyset.shape,
    role: actor.role,
    view,
    kind: input.kind !== undefined,
    appointmentId: input.appointmentId !== undefined,
    patientId: input.patientId !== undefined,
    authoredByMe: input.authoredByMe ?? null,
  };
  const values = {
    ...keyset.values,
    userId: actor.userId,
    kind: input.kind,
    appointmentId: input.appointmentId,
    patientId: input.patientId,
  };
  return { shape, values };
}

/** The caller of a prepared statement: its role, and a placeholder for its user id. */
const callerOf = (shape: RecordsShape): ActorRef => ({ userId: sql.placeholder("userId"), role: shape.role });

function filtersOf(shape: RecordsShape, options: { perRow?: boolean } = {}): SQL | undefined {
  const actor = callerOf(shape);
  const authored = authoredByDoctor(actor);
  return and(
    medicalRecordVisibleTo(actor, options),
    shape.authoredByMe === true ? authored : undefined,
    // A patient's note has no doctor: "not written by me" includes it.
    shape.authoredByMe === false ? sql`not coalesce(${authored}, false)` : undefined,
    shape.patientId ? eq(medicalRecords.patientId, sql.placeholder("patientId")) : undefined,
    shape.kind ? eq(medicalRecords.kind, sql.placeholder("kind")) : undefined,
    shape.appointmentId ? eq(medicalRecords.appointmentId, sql.placeholder("appointmentId")) : undefined,
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
export function recordsPageQuery(db: Executor, shape: RecordsShape) {
  const { where, orderBy, limit } = recordList.preparedKeyset(shape);
  const actor = callerOf(shape);
  const practice = db.$with("practice").as(careAppointmentsBeyond(db, actor, WALK_BEYOND_CARE_APPOINTMENTS));
  const rows = (plan?: SQL, options: { perRow?: boolean } = {}) =>
    db
      .select({ record: getTableColumns(medicalRecords) })
      .from(medicalRecords)
      .where(and(filtersOf(shape, options), where, plan))
      .orderBy(...orderBy)
      .limit(limit);
  if (shape.view === "patient") return { ctes: [], page: rows() };
  const large = sql`(select ${practice.beyond} from ${practice})`;
  const treated = or(treatedByDoctorSql(actor, medicalRecords.patientId), authoredByDoctor(actor));
  const direction = shape.order === "asc" ? asc : desc;
  // The union's own order names its output columns (the branches' table is out of its scope).
  const page = unionAll(rows(and(sql`not ${large}`, treated)), rows(large, { perRow: true }))
    .orderBy(direction(sql.identifier(SORT_OUTPUT[shape.sort])), direction(sql.identifier("id")))
    .limit(limit);
  return { ctes: [practice], page };
}

/**
 * One statement per shape, prepared (ADR 0030): the page as a CTE, its audit row written from it
 * (ADR 0024: the ids returned, and the patient when the page is one patient's file), and the
 * page's rows in order with their parties' names.
 */
const auditedPageStatement = preparedPerShape("medical_record_list", (db, shape: RecordsShape, name) => {
  const { ctes, page: pageQuery } = recordsPageQuery(db, shape);
  const page = db.$with("page").as(pageQuery);
  const direction = shape.order === "asc" ? asc : desc;
  const sortKey = shape.sort === "updatedAt" ? page.record.updatedAt : page.record.createdAt;
  const inOrder = [direction(sortKey), direction(page.record.id)];
  const { pageSize } = recordList.preparedKeyset(shape);
  const shown = sql`array(select ${page.record.id} from ${page} order by ${sql.join(inOrder, sql`, `)} limit ${pageSize})`;
  const auditRow = auditRowOfPage(
    db,
    PREPARED_PAGE_READER,
    {
      action: "medical_record.list",
      outcome: "SUCCESS",
      targetType: "medical_record",
      details: { view: shape.view },
    },
    {
      resourceIds: shown,
      patientId:
        shape.view === "patient"
          ? sql`(select ${page.record.patientId} from ${page} limit 1)`
          : shape.patientId
            ? sql.placeholder("patientId")
            : null,
    },
  );
  return selectPageRows(db.with(...ctes, page, auditRow), page)
    .orderBy(...inOrder)
    .prepare(name);
});

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
    const { shape, values } = bindingOf(actor, view, input);
    const rows = await auditedPageStatement(deps.db, shape).execute({
      ...values,
      ...pageReaderValues(audit),
    });
    const page = recordList.pageFrom(input, rows);
    return {
      items: page.items.map((row) => toRecordDto(deps.fieldCipher, row)),
      nextCursor: page.nextCursor,
    };
  });
}
