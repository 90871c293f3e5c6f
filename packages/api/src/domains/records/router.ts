import { z } from "zod";
import { ZIdInput } from "#platform/fields/fields.ts";
import { router } from "#platform/trpc.ts";
import { recordsProcedure } from "./access.ts";
import { listRecords } from "./lists.service.ts";
import { getRecord, listVersions } from "./read.service.ts";
import { ZMedicalRecordDto } from "./record-dto.ts";
import {
  recordRoutes,
  ZAddNoteInput,
  ZCreateRecordInput,
  ZDeleteRecordInput,
  ZDoctorRecordsInput,
  ZMedicalRecordPage,
  ZMedicalRecordVersionPage,
  ZMyRecordsInput,
  ZUpdateRecordInput,
  ZVersionsInput,
} from "./records.schema.ts";
import { addHistoryNote, createClinicalRecord, deleteRecord, updateRecord } from "./write.service.ts";

/** Those who read one record (and, for their own, change it); STAFF is refused (403, audited). */
const readers = ["PATIENT", "DOCTOR", "ADMIN"] as const;

/**
 * Medical records. The literal `/medical-records/me` and `/medical-records/doctor/me` come first:
 * `/medical-records/{id}` would otherwise answer them.
 */
export const recordsRouter = router({
  mine: recordsProcedure("medical_record.list", "PATIENT")
    .meta(recordRoutes.mine)
    .input(ZMyRecordsInput)
    .output(ZMedicalRecordPage)
    .query(({ ctx, input }) => listRecords(ctx.deps, ctx.audit, ctx.actor, "patient", input)),
  addMine: recordsProcedure("medical_record.created", "PATIENT")
    .meta(recordRoutes.addMine)
    .input(ZAddNoteInput)
    .output(ZMedicalRecordDto)
    .mutation(({ ctx, input }) => addHistoryNote(ctx.deps, ctx.audit, ctx.actor, input.note)),
  doctorMine: recordsProcedure("medical_record.list", "DOCTOR")
    .meta(recordRoutes.doctorMine)
    .input(ZDoctorRecordsInput)
    .output(ZMedicalRecordPage)
    .query(({ ctx, input }) => listRecords(ctx.deps, ctx.audit, ctx.actor, "doctor", input)),
  create: recordsProcedure("medical_record.created", "DOCTOR")
    .meta(recordRoutes.create)
    .input(ZCreateRecordInput)
    .output(ZMedicalRecordDto)
    .mutation(({ ctx, input }) => createClinicalRecord(ctx.deps, ctx.audit, ctx.actor, input)),
  get: recordsProcedure("medical_record.read", ...readers)
    .meta(recordRoutes.get)
    .input(ZIdInput)
    .output(ZMedicalRecordDto)
    .query(({ ctx, input }) => getRecord(ctx.deps, ctx.audit, ctx.actor, input.id)),
  update: recordsProcedure("medical_record.updated", ...readers)
    .meta(recordRoutes.update)
    .input(ZUpdateRecordInput)
    .output(ZMedicalRecordDto)
    .mutation(({ ctx, input }) => updateRecord(ctx.deps, ctx.audit, ctx.actor, input)),
  delete: recordsProcedure("medical_record.deleted", ...readers)
    .meta(recordRoutes.delete)
    .input(ZDeleteRecordInput)
    .output(z.null())
    .mutation(async ({ ctx, input }) => {
      await deleteRecord(ctx.deps, ctx.audit, ctx.actor, input.id, input.reason);
      return null;
    }),
  versions: recordsProcedure("medical_record.versions", ...readers)
    .meta(recordRoutes.versions)
    .input(ZVersionsInput)
    .output(ZMedicalRecordVersionPage)
    .query(({ ctx, input }) => listVersions(ctx.deps, ctx.audit, ctx.actor, input)),
});
