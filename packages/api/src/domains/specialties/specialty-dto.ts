import { pickColumns } from "@medical/db";
import { specialties } from "@medical/db/schema";
import { z } from "zod";
import { named } from "#platform/named.ts";

export const ZSpecialtyDto = named(
  z.object({ id: z.uuid(), name: z.string(), description: z.string().nullable() }),
  "Specialty",
  {
    description: "A medical specialty doctors are searched by",
    example: {
      id: "8c3e5a71-2b4f-4d9a-a6e8-0f1b7c2d5e93",
      name: "Cardiologie",
      description: "Maladies du cœur et des vaisseaux",
    },
  },
);
export type SpecialtyDto = z.infer<typeof ZSpecialtyDto>;

/** What a specialty's DTO and its list cursor need. */
export const specialtyColumns = pickColumns(specialties, ["id", "name", "description", "nameKey"]);

export const toSpecialtyDto = ({ id, name, description }: SpecialtyDto): SpecialtyDto => ({
  id,
  name,
  description,
});
