/**
 * What other domains may use of medical records: who reads a record, and the DTOs with the
 * select and mapping that build them (a patient's data export lists their records).
 */
export { findVisibleRecord, MEDICAL_RECORD_NOT_FOUND, medicalRecordVisibleTo } from "./access.ts";
export { medicalRecordsExportPart } from "./export-part.ts";
export {
  type MedicalRecordDto,
  type MedicalRecordVersionDto,
  type RecordRow,
  selectRecordRows,
  toRecordDto,
  toVersionDto,
  ZMedicalRecordDto,
  ZMedicalRecordVersionDto,
} from "./record-dto.ts";
