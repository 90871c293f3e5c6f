/**
 * What other domains may use of scheduling: who sees an appointment, and the appointment DTOs with
 * the columns and mapping that build them.
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
