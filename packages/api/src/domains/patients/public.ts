/**
 * What other domains may use of patients: the caller's active profile, for patient-only actions;
 * a profile found through the access predicate; the profile's section of a patient's data export.
 */
export { findOwnPatient, findVisiblePatient, requirePatientProfile } from "./access.ts";
export { patientExportPart } from "./export-part.ts";
