/** What other domains may use of specialties: the DTO doctors embed, and the check of a doctor's ids. */
export { requireSpecialties } from "./specialties.service.ts";
export { type SpecialtyDto, ZSpecialtyDto } from "./specialty-dto.ts";
