/** What other domains may use of doctors. */
export {
  type DoctorDto,
  type DoctorRow,
  doctorDtoColumns,
  doctorNameColumns,
  type SpecialtyDto,
  toDoctorDtos,
  ZDoctorDto,
  ZSpecialtyDto,
} from "./doctor-dto.ts";
