/**
 * `@medical/seed/bulk`: the generated load behind `pnpm seed --size N`, also used by the bench's
 * snapshot. Imports only @medical/db, so a caller does not load the API.
 */
export {
  APPOINTMENTS_PER_DOCTOR,
  appointmentCount,
  type BulkOptions,
  type BulkResult,
  busyAppointments,
  DEFAULT_BATCH_SIZE,
  LOAD_DOMAIN,
  loadBulk,
  REBUILD_INDEXES_FROM,
} from "./load.ts";
export { createProgressBar, type LoadProgress, type ProgressBar } from "./progress.ts";
export { RECORD_SHARE_ELSEWHERE, type RecordSealer } from "./records.ts";
