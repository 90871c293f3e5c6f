import { z } from "zod";
import { requireAChange, text } from "#platform/fields/fields.ts";
import { routeMeta } from "#platform/meta.ts";
import { named } from "#platform/named.ts";
import { specialtyList } from "./specialties.service.ts";

const route = routeMeta(["doctors"]);

/** The REST route of each procedure. */
export const specialtyRoutes = {
  list: route("GET", "/doctors/specialties", "All specialties, by name", { protect: false }),
  create: route("POST", "/doctors/specialties", "Add a specialty (admin)", {
    errors: ["CONFLICT"],
    successStatus: 201,
    successMessage: "Specialty created",
  }),
  update: route("PATCH", "/doctors/specialties/{id}", "Rename or describe a specialty (admin)", {
    errors: ["NOT_FOUND", "CONFLICT"],
    successMessage: "Specialty updated",
  }),
  delete: route("DELETE", "/doctors/specialties/{id}", "Delete a specialty no doctor has (admin)", {
    errors: ["NOT_FOUND", "IN_USE"],
    successMessage: "Specialty deleted",
  }),
};

export const ZListSpecialtiesInput = specialtyList.input;

const ZSpecialtyName = text(100, { min: 2 });
const ZDescription = text(500, { trim: false }).nullable().optional();
export const ZCreateSpecialtyInput = named(
  z.strictObject({ name: ZSpecialtyName, description: ZDescription }),
  "CreateSpecialtyInput",
  {
    description: "A new specialty; names are unique, whatever their accents and case",
    example: { name: "Cardiologie", description: "Maladies du cœur et des vaisseaux" },
  },
);
export const ZUpdateSpecialtyInput = named(
  requireAChange(
    z.strictObject({
      id: z.uuid(),
      name: ZSpecialtyName.optional(),
      description: ZDescription,
    }),
    "id",
  ),
  "UpdateSpecialtyInput",
  {
    description: "The fields to change (at least one)",
    example: { id: "8c3e5a71-2b4f-4d9a-a6e8-0f1b7c2d5e93", description: "Cœur et vaisseaux" },
  },
);
