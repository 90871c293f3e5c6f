/** What other domains may use of patients. */
export { requirePatientProfile } from "./patient-rows.ts";
