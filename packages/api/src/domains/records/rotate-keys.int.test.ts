import { medicalRecords, medicalRecordVersions } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { createFieldCipher } from "#platform/crypto/field-cipher.ts";
import { TEST_ENCRYPTION_KEY } from "#testing/deps.ts";
import { makeAppointment } from "#testing/factories/appointments.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { makeMedicalRecord } from "#testing/factories/records.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { signIn } from "#testing/sign-in.ts";
import {
  DELETION_REASON,
  openContent,
  RECORD_CONTENT,
  sealedContext,
  VERSION_CONTENT,
} from "./record-content.ts";
import { rotateRecordKeys } from "./rotate-keys.service.ts";

const file = useFileDeps();

describe("pnpm keys:rotate on medical records", () => {
  test("re-encrypts records' text and deletion reasons and every version's text, leaves unreadable rows alone", async () => {
    const { patient } = await makePatient(file.db);
    const { doctor, user } = await makeDoctor(file.db);
    await makeAppointment(file.db, { doctorId: doctor.id, patientId: patient.id, status: "COMPLETED" });
    const author = await signIn(file.deps, user);
    const edited = await author.caller.medicalRecords.create({
      patientId: patient.id,
      clinicalNotes: "Avant",
    });
    await author.caller.medicalRecords.update({ id: edited.id, version: 1, clinicalNotes: "Après" });
    const deleted = await author.caller.medicalRecords.create({
      patientId: patient.id,
      treatmentPlan: "Plan",
    });
    await author.caller.medicalRecords.delete({ id: deleted.id, reason: "Doublon" });
    const stranger = createFieldCipher([{ id: "lost", key: Buffer.alloc(32, 9) }]);
    const lost = await makeMedicalRecord(file.db, {
      patientId: patient.id,
      doctorId: doctor.id,
      cipher: stranger,
    });

    const onlyNew = createFieldCipher([{ id: "new1", key: Buffer.alloc(32, 3) }]);
    const rotating = createFieldCipher([{ id: "new1", key: Buffer.alloc(32, 3) }, TEST_ENCRYPTION_KEY]);
    const counts = await rotateRecordKeys({ ...file.deps, fieldCipher: rotating }, { batchSize: 2 });
    // Records: the edited one, the deleted one (text and reason), the unreadable one.
    expect(counts.records).toEqual({ scanned: 3, rotated: 2, current: 0, skipped: 0, unreadable: 1 });
    // Versions: two of the edited record, one of the deleted, one unreadable.
    expect(counts.versions).toEqual({ scanned: 4, rotated: 3, current: 0, skipped: 0, unreadable: 1 });

    const [record] = await file.db.select().from(medicalRecords).where(eq(medicalRecords.id, edited.id));
    const where = { rowId: edited.id, recordId: edited.id, patientId: patient.id };
    expect(record && openContent(onlyNew, RECORD_CONTENT, where, record.content).clinicalNotes).toBe("Après");
    const versions = await file.db
      .select()
      .from(medicalRecordVersions)
      .where(eq(medicalRecordVersions.recordId, edited.id))
      .orderBy(medicalRecordVersions.version);
    expect(
      versions.map(
        (v) =>
          openContent(
            onlyNew,
            VERSION_CONTENT,
            { rowId: v.id, recordId: edited.id, patientId: patient.id },
            v.content,
          ).clinicalNotes,
      ),
    ).toEqual(["Avant", "Après"]);
    const [gone] = await file.db.select().from(medicalRecords).where(eq(medicalRecords.id, deleted.id));
    expect(
      gone?.deletionReason &&
        onlyNew.decrypt(gone.deletionReason, sealedContext(DELETION_REASON, deleted.id)),
    ).toBe("Doublon");
    const [untouched] = await file.db.select().from(medicalRecords).where(eq(medicalRecords.id, lost.id));
    expect(untouched?.content).toBe(lost.content);

    // A server with only the new key reads the rotated record and its history.
    const afterwards = await signIn({ ...file.deps, fieldCipher: onlyNew }, user);
    await expect(afterwards.caller.medicalRecords.get({ id: edited.id })).resolves.toMatchObject({
      clinicalNotes: "Après",
    });
    await expect(afterwards.caller.medicalRecords.versions({ id: edited.id })).resolves.toMatchObject({
      items: [{ clinicalNotes: "Après" }, { clinicalNotes: "Avant" }],
    });
    await expect(rotateRecordKeys({ ...file.deps, fieldCipher: rotating })).resolves.toMatchObject({
      records: { rotated: 0, current: 2, unreadable: 1 },
      versions: { rotated: 0, current: 3, unreadable: 1 },
    });
  });
});
