import { randomUUID } from "node:crypto";
import type { Transaction } from "@medical/db";
import {
  appointments,
  doctors,
  type MedicalRecordKind,
  medicalRecords,
  medicalRecordVersions,
  patients,
} from "@medical/db/schema";
import { and, eq, inArray } from "drizzle-orm";
import { requirePatientProfile } from "#domains/patients/public.ts";
import { appointmentVisibleTo, CARE_STATUSES, doctorTreatsPatientSql } from "#domains/scheduling/public.ts";
import {
  type AuditMeta,
  auditedTransaction,
  type ChangeRecorder,
  namedFields,
} from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError, InvalidInputError, invalidField } from "#platform/errors/errors.ts";
import type { InputIssue } from "#platform/errors/issues.ts";
import { changeRefusal, findVisibleRecord, MEDICAL_RECORD_NOT_FOUND, relationTo } from "./access.ts";
import { auditingUnreadable, type RecordAction, recordEvent } from "./record-audit.ts";
import {
  type Diagnosis,
  EMPTY_CONTENT,
  openContent,
  RECORD_CONTENT,
  type RecordContent,
  sealContent,
  sealDeletionReason,
  VERSION_CONTENT,
} from "./record-content.ts";
import { type MedicalRecordDto, type RecordRow, toRecordDto } from "./record-dto.ts";
import type { ClinicalChanges, CreateRecordInput, UpdateRecordInput } from "./records.schema.ts";

type WriteDeps = Pick<Deps, "db" | "events" | "clock" | "fieldCipher">;
type Who = Pick<Actor, "userId" | "role">;

const notFound = () => new DomainError("NOT_FOUND", MEDICAL_RECORD_NOT_FOUND);

/** What one version holds besides its text. */
interface VersionFacts {
  recordId: string;
  version: number;
  content: RecordContent;
  followUpDate: string | null;
  appointmentId: string | null;
}

/** The new version's row of `medical_record_versions`, its text sealed under its own id. */
async function insertVersion(deps: WriteDeps, tx: Transaction, actor: Who, facts: VersionFacts, at: Date) {
  const id = randomUUID();
  await tx.insert(medicalRecordVersions).values({
    id,
    recordId: facts.recordId,
    version: facts.version,
    content: sealContent(deps.fieldCipher, VERSION_CONTENT, id, facts.content),
    followUpDate: facts.followUpDate,
    appointmentId: facts.appointmentId,
    editedBy: actor.userId,
    editedByRole: actor.role,
    editedAt: at,
  });
}

/** The record as the actor reads it, inside the transaction that wrote it (its write event covers the read). */
async function answerOf(deps: WriteDeps, tx: Transaction, actor: Who, id: string): Promise<MedicalRecordDto> {
  const row = await findVisibleRecord(tx, actor, id);
  if (!row) throw new Error(`the record ${id} just written is not visible to its writer`);
  return toRecordDto(deps.fieldCipher, row);
}

/**
 * Refuses an `appointmentId` that is not an appointment of the record's doctor with its patient
 * (a cancelled one neither: that visit never happened), seen through scheduling's own predicate.
 */
async function checkAppointment(
  tx: Transaction,
  record: ChangeRecorder,
  actor: Who,
  action: RecordAction,
  target: { recordId?: string; patientId: string; doctorId: string; appointmentId: string },
): Promise<void> {
  const [found] = await tx
    .select({ id: appointments.id })
    .from(appointments)
    .where(
      and(
        eq(appointments.id, target.appointmentId),
        eq(appointments.doctorId, target.doctorId),
        eq(appointments.patientId, target.patientId),
        inArray(appointments.status, [...CARE_STATUSES]),
        appointmentVisibleTo(actor),
      ),
    )
    .limit(1);
  if (!found)
    record.refuse(
      recordEvent(action, "DENIED", {
        recordId: target.recordId ?? null,
        patientId: target.patientId,
        reason: "bad_appointment",
      }),
      invalidField(
        ["appointmentId"],
        "Not an appointment of the record's doctor with this patient (a cancelled one does not count)",
      ),
    );
}

/** A new record: its patient, author doctor (null for a patient's note), kind and first version. */
interface NewRecord {
  patientId: string;
  kind: MedicalRecordKind;
  doctorId: string | null;
  appointmentId: string | null;
  followUpDate: string | null;
  content: RecordContent;
}

/**
 * Writes a record at version 1 with its version row, its audit event and `medical_record.created`,
 * in the caller's transaction; returns its id.
 */
async function insertRecord(
  deps: WriteDeps,
  tx: Transaction,
  record: ChangeRecorder,
  actor: Who,
  { content, ...facts }: NewRecord,
): Promise<string> {
  const id = randomUUID();
  const now = deps.clock.now();
  await tx.insert(medicalRecords).values({
    id,
    ...facts,
    content: sealContent(deps.fieldCipher, RECORD_CONTENT, id, content),
    createdAt: now,
    updatedAt: now,
  });
  await insertVersion(deps, tx, actor, { ...facts, recordId: id, version: 1, content }, now);
  const { patientId, doctorId, kind } = facts;
  record.audit(
    recordEvent("medical_record.created", "SUCCESS", {
      recordId: id,
      patientId,
      details: { kind, version: 1 },
    }),
  );
  record.emit("medical_record.created", {
    v: 1,
    recordId: id,
    patientId,
    doctorId,
    kind,
    actorId: actor.userId,
  });
  return id;
}

/**
 * `POST /medical-records`: a DOCTOR's clinical record for a patient they treat (NOT_FOUND
 * otherwise, audited as a denied write), optionally about one of their appointments with them.
 * The record and its first version commit with the audit event and `medical_record.created`.
 */
export function createClinicalRecord(
  deps: WriteDeps,
  audit: AuditMeta,
  actor: Who,
  input: CreateRecordInput,
): Promise<MedicalRecordDto> {
  const { patientId, appointmentId, followUpDate, ...text } = input;
  return auditingUnreadable(deps, audit, "medical_record.created", () =>
    auditedTransaction(deps, audit, async (tx, record) => {
      const [doctor] = await tx
        .select({ id: doctors.id })
        .from(doctors)
        .where(eq(doctors.userId, actor.userId));
      if (!doctor) throw new DomainError("PROFILE_REQUIRED", "Create your doctor profile first");
      const [patient] = await tx
        .select({ id: patients.id })
        .from(patients)
        .where(and(eq(patients.id, patientId), doctorTreatsPatientSql(actor, patients.id)));
      if (!patient)
        return record.refuse(
          recordEvent("medical_record.created", "DENIED", {
            reason: "not_treated",
            details: { requestedPatientId: patientId },
          }),
          new DomainError("NOT_FOUND", "Patient not found"),
        );
      if (appointmentId)
        await checkAppointment(tx, record, actor, "medical_record.created", {
          patientId,
          doctorId: doctor.id,
          appointmentId,
        });
      const id = await insertRecord(deps, tx, record, actor, {
        patientId,
        kind: "CLINICAL",
        doctorId: doctor.id,
        appointmentId: appointmentId ?? null,
        followUpDate: followUpDate ?? null,
        content: {
          ...EMPTY_CONTENT,
          diagnoses: (text.diagnoses ?? []).map(withNullCode),
          treatmentPlan: text.treatmentPlan ?? null,
          prescriptions: (text.prescriptions ?? []).map(withNulls),
          clinicalNotes: text.clinicalNotes ?? null,
        },
      });
      return answerOf(deps, tx, actor, id);
    }),
  );
}

/**
 * `POST /medical-records/me`: a history note the PATIENT writes in their own file, always
 * PATIENT_REPORTED (409 PROFILE_REQUIRED without an active profile).
 */
export async function addHistoryNote(
  deps: WriteDeps,
  audit: AuditMeta,
  actor: Who,
  note: string,
): Promise<MedicalRecordDto> {
  const patient = await requirePatientProfile(deps, actor);
  return auditingUnreadable(deps, audit, "medical_record.created", () =>
    auditedTransaction(deps, audit, async (tx, record) => {
      const id = await insertRecord(deps, tx, record, actor, {
        patientId: patient.id,
        kind: "PATIENT_REPORTED",
        doctorId: null,
        appointmentId: null,
        followUpDate: null,
        content: { ...EMPTY_CONTENT, note },
      });
      return answerOf(deps, tx, actor, id);
    }),
  );
}

/** A diagnosis as stored: without a code, its code is null. */
function withNullCode({ code, description }: NonNullable<ClinicalChanges["diagnoses"]>[number]): Diagnosis {
  return { code: code ?? null, description };
}

/** A prescription as stored: a duration or instructions not given are null. */
function withNulls(prescription: NonNullable<ClinicalChanges["prescriptions"]>[number]) {
  return {
    ...prescription,
    duration: prescription.duration ?? null,
    instructions: prescription.instructions ?? null,
  };
}

const CLINICAL_KEYS = [
  "appointmentId",
  "diagnoses",
  "treatmentPlan",
  "prescriptions",
  "clinicalNotes",
  "followUpDate",
] as const satisfies readonly (keyof ClinicalChanges)[];

/** Fields of the other kind of record: clinical fields on a patient's note, a note on a clinical entry. */
function misplacedFields(row: RecordRow, changes: Omit<UpdateRecordInput, "id" | "version">): InputIssue[] {
  const misplaced: (keyof typeof changes)[] =
    row.record.kind === "CLINICAL"
      ? changes.note === undefined
        ? []
        : ["note"]
      : CLINICAL_KEYS.filter((key) => changes[key] !== undefined);
  const message =
    row.record.kind === "CLINICAL"
      ? "A clinical record has no patient note"
      : "A patient's history note has only a note";
  return misplaced.map((key) => ({ path: [key], message }));
}

/** The content after a PATCH: a field present replaces it, a field absent keeps it. */
function merged(current: RecordContent, changes: Omit<UpdateRecordInput, "id" | "version">): RecordContent {
  return {
    diagnoses: changes.diagnoses?.map(withNullCode) ?? current.diagnoses,
    treatmentPlan: changes.treatmentPlan === undefined ? current.treatmentPlan : changes.treatmentPlan,
    prescriptions: changes.prescriptions?.map(withNulls) ?? current.prescriptions,
    clinicalNotes: changes.clinicalNotes === undefined ? current.clinicalNotes : changes.clinicalNotes,
    note: changes.note ?? current.note,
  };
}

const hasClinicalText = (content: RecordContent) =>
  Boolean(
    content.diagnoses.length ||
      content.treatmentPlan ||
      content.prescriptions.length ||
      content.clinicalNotes,
  );

/**
 * Loads a record for a change, locked: NOT_FOUND when the actor cannot read it, FORBIDDEN when it
 * may not change it (changeRefusal), CONFLICT when it is deleted (only ADMIN sees those) — each
 * refusal audited as a denied `action`.
 */
async function lockForChange(
  tx: Transaction,
  record: ChangeRecorder,
  actor: Who,
  action: RecordAction,
  id: string,
): Promise<RecordRow> {
  const row = await findVisibleRecord(tx, actor, id, { lock: true });
  if (!row)
    return record.refuse(recordEvent(action, "DENIED", { recordId: id, reason: "not_visible" }), notFound());
  const { patientId } = row.record;
  const refusal = changeRefusal(actor, await relationTo(tx, actor, id));
  if (refusal)
    return record.refuse(
      recordEvent(action, "DENIED", { recordId: id, patientId, reason: refusal }),
      new DomainError(
        "FORBIDDEN",
        refusal === "not_treated"
          ? "You no longer treat this patient: your entries are read-only"
          : "Only the record's author (or ADMIN) may change it",
      ),
    );
  if (row.record.deletedAt)
    return record.refuse(
      recordEvent(action, "DENIED", { recordId: id, patientId, reason: "deleted" }),
      new DomainError("CONFLICT", "This record is deleted"),
    );
  return row;
}

/**
 * `PATCH /medical-records/{id}`: a new version of a record the actor may change, if `version` is
 * still the current one (409 STALE_VERSION otherwise: the row is locked, so of two concurrent
 * edits of one version the second always sees the first). The record, its new version row, the
 * audit event (naming the fields changed) and `medical_record.updated` commit together.
 */
export function updateRecord(
  deps: WriteDeps,
  audit: AuditMeta,
  actor: Who,
  input: UpdateRecordInput,
): Promise<MedicalRecordDto> {
  const { id, version, ...changes } = input;
  const action = "medical_record.updated";
  return auditingUnreadable(deps, audit, action, () =>
    auditedTransaction(deps, audit, async (tx, record) => {
      const row = await lockForChange(tx, record, actor, action, id);
      const current = row.record;
      const { patientId } = current;
      const refused = (reason: "stale_version" | "invalid_change", error: DomainError) =>
        record.refuse(recordEvent(action, "DENIED", { recordId: id, patientId, reason }), error);
      if (current.version !== version)
        return refused(
          "stale_version",
          new DomainError(
            "STALE_VERSION",
            `You read version ${version}; the record is at version ${current.version}: read it again`,
          ),
        );
      const [misplaced, ...more] = misplacedFields(row, changes);
      if (misplaced) return refused("invalid_change", new InvalidInputError([misplaced, ...more]));
      const content = merged(
        openContent(
          deps.fieldCipher,
          RECORD_CONTENT,
          { rowId: id, recordId: id, patientId },
          current.content,
        ),
        changes,
      );
      if (current.kind === "CLINICAL" && !hasClinicalText(content))
        return refused(
          "invalid_change",
          invalidField(
            ["diagnoses"],
            "A clinical record keeps at least one of diagnoses, treatmentPlan, prescriptions or clinicalNotes",
          ),
        );
      const appointmentId =
        changes.appointmentId === undefined ? current.appointmentId : changes.appointmentId;
      if (appointmentId && appointmentId !== current.appointmentId && current.doctorId)
        await checkAppointment(tx, record, actor, action, {
          recordId: id,
          patientId,
          doctorId: current.doctorId,
          appointmentId,
        });
      const next = current.version + 1;
      const followUpDate = changes.followUpDate === undefined ? current.followUpDate : changes.followUpDate;
      const now = deps.clock.now();
      await tx
        .update(medicalRecords)
        .set({
          version: next,
          content: sealContent(deps.fieldCipher, RECORD_CONTENT, id, content),
          followUpDate,
          appointmentId,
          updatedAt: now,
        })
        .where(eq(medicalRecords.id, id));
      await insertVersion(
        deps,
        tx,
        actor,
        { recordId: id, version: next, content, followUpDate, appointmentId },
        now,
      );
      record.audit(
        recordEvent(action, "SUCCESS", {
          recordId: id,
          patientId,
          details: { version: next, fields: namedFields(changes) },
        }),
      );
      record.emit("medical_record.updated", {
        v: 1,
        recordId: id,
        patientId,
        doctorId: current.doctorId,
        kind: current.kind,
        actorId: actor.userId,
        version: next,
      });
      return answerOf(deps, tx, actor, id);
    }),
  );
}

/**
 * `DELETE /medical-records/{id}?reason=`: a soft delete by whoever may change the record. Nothing
 * is erased: the row and its versions stay, marked with who deleted it, when and why (encrypted),
 * hidden from everyone but ADMIN.
 */
export async function deleteRecord(
  deps: WriteDeps,
  audit: AuditMeta,
  actor: Who,
  id: string,
  reason: string,
): Promise<void> {
  const action = "medical_record.deleted";
  await auditedTransaction(deps, audit, async (tx, record) => {
    const row = await lockForChange(tx, record, actor, action, id);
    const { patientId, doctorId, kind } = row.record;
    const now = deps.clock.now();
    await tx
      .update(medicalRecords)
      .set({
        deletedAt: now,
        deletedBy: actor.userId,
        deletedByRole: actor.role,
        deletionReason: sealDeletionReason(deps.fieldCipher, id, reason),
        updatedAt: now,
      })
      .where(eq(medicalRecords.id, id));
    record.audit(
      recordEvent(action, "SUCCESS", { recordId: id, patientId, details: { version: row.record.version } }),
    );
    record.emit("medical_record.deleted", {
      v: 1,
      recordId: id,
      patientId,
      doctorId,
      kind,
      actorId: actor.userId,
    });
  });
}
