/** What other domains may use of patients: the caller's active profile, for patient-only actions. */
export { requirePatientProfile } from "./access.ts";
