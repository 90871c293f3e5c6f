import {
  type MedicalRecordKind,
  type MedicalRecordVersion,
  medicalRecords,
  medicalRecordVersions,
} from "@medical/db/schema";
import { and, eq, or, type SQL, sql } from "drizzle-orm";
import { treatedByDoctorSql } from "#domains/scheduling/public.ts";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { defineList, type ListInput, type Page } from "#platform/list.ts";
import { authoredByDoctor, medicalRecordVisibleTo } from "./access.ts";
import { auditingUnreadable, recordEvent } from "./record-audit.ts";
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
 * A page of the records the view shows, role-scoped by `medicalRecordVisibleTo`, deleted ones
 * never listed. Items carry the records' text (PHI): the page is read in a transaction with its
 * audit event — the ids returned, and the patient when the page is one patient's file.
 */
export function listRecords(
  deps: Pick<Deps, "db" | "events" | "fieldCipher">,
  audit: AuditMeta,
  actor: Pick<Actor, "userId" | "role">,
  view: RecordView,
  input: ListRecordsInput,
): Promise<Page<MedicalRecordDto>> {
  return auditingUnreadable(deps, audit, "medical_record.list", () =>
    auditedTransaction(deps, audit, async (tx, record) => {
      const page = await recordList.page(input, ({ where, orderBy, limit }) =>
        selectRecordRows(tx)
          .where(and(filtersOf(actor, view, input), where))
          .orderBy(...orderBy)
          .limit(limit),
      );
      const items = page.items.map((row) => toRecordDto(deps.fieldCipher, row));
      const onePatient = view === "patient" ? page.items[0]?.record.patientId : input.patientId;
      record.audit(
        recordEvent("medical_record.list", "SUCCESS", {
          patientId: onePatient ?? null,
          resourceIds: items.map((item) => item.id),
          details: { view },
        }),
      );
      return { items, nextCursor: page.nextCursor };
    }),
  );
}
