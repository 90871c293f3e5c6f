import { patients } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { ExportPart } from "#platform/export-part.ts";
import { named } from "#platform/named.ts";
import { ClinicalDataUnreadable, openClinical } from "./clinical.ts";
import { patientExample, toPatientDto, ZClinicalDto, ZPatientDto } from "./patient-dto.ts";
import { selectPatientRows } from "./patient-rows.ts";

/** The profile as its owner reads it, with the account id and the clinical fields always there. */
const ZExportedPatient = named(
  ZPatientDto.extend({ userId: z.uuid(), clinical: ZClinicalDto }),
  "ExportedPatient",
  {
    description: "The patient's profile as they read it themselves, clinical fields included",
    example: patientExample,
  },
);

/**
 * The profile section of a patient's data export: what `GET /patients/me` answers its owner,
 * clinical fields decrypted (empty lists when never written). Reads by id, without the access
 * predicate: the export service found the profile through it and decides who exports whose file.
 */
export const patientExportPart: ExportPart<z.infer<typeof ZExportedPatient>> = {
  schema: ZExportedPatient,
  example: patientExample,
  async read(tx, subject, cipher) {
    const [row] = await selectPatientRows(tx).where(eq(patients.id, subject.patientId)).limit(1);
    if (!row) throw new Error("the exported patient profile vanished inside its snapshot");
    const clinical = openClinical(cipher, row);
    return { ...toPatientDto(row, { role: "PATIENT" }, clinical), userId: row.userId, clinical };
  },
  counts: () => ({ patient: 1 }),
  isUnreadable: (error) => error instanceof ClinicalDataUnreadable,
};
