/**
 * What other domains may use of scheduling: who sees an appointment, the appointment DTOs with the
 * columns and mapping that build them, the one definition of a care relationship (patients today;
 * records, billing and chat next) and the completed-visit check behind reviews.
 */
export { APPOINTMENT_NOT_FOUND, appointmentVisibleTo, findVisibleAppointment } from "./access.ts";
export {
  type AppointmentDetail,
  type AppointmentDto,
  type AppointmentRow,
  type AppointmentSummary,
  appointmentColumns,
  selectAppointmentRows,
  toAppointmentDetail,
  toAppointmentDtos,
  toAppointmentSummaries,
  ZAppointmentDetail,
  ZAppointmentDto,
  ZAppointmentStatus,
  ZAppointmentSummary,
} from "./appointment-dto.ts";
export { AppointmentTextUnreadable, appointmentReadEvent } from "./appointment-phi.ts";
export {
  CARE_STATUSES,
  careAppointmentsBeyond,
  doctorTreatsPatientSql,
  hasCompletedVisit,
  treatedByDoctorSql,
} from "./care.ts";
export { appointmentsExportPart } from "./export-part.ts";
