import { pickColumns } from "@medical/db";
import { specialties } from "@medical/db/schema";
import { z } from "zod";

export const ZSpecialtyDto = z.object({ id: z.uuid(), name: z.string(), description: z.string().nullable() });
export type SpecialtyDto = z.infer<typeof ZSpecialtyDto>;

/** What a specialty's DTO and its list cursor need. */
export const specialtyColumns = pickColumns(specialties, ["id", "name", "description", "nameKey"]);

export const toSpecialtyDto = ({ id, name, description }: SpecialtyDto): SpecialtyDto => ({
  id,
  name,
  description,
});
