/**
 * What other domains may use of doctors: the public's view of them (the predicate and its check,
 * for reviews and favourites) and the DTO with the columns and mapping that build it.
 */
export { DOCTOR_NOT_FOUND, publicDoctorVisible, requireActiveDoctor } from "./access.ts";
export {
  type DoctorDto,
  type DoctorRow,
  doctorDtoColumns,
  doctorExample,
  doctorNameColumns,
  toDoctorDtos,
  ZDoctorDto,
} from "./doctor-dto.ts";
