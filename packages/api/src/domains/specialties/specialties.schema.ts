import { z } from "zod";
import { routeMeta } from "#platform/meta.ts";
import { specialtyList } from "./specialties.service.ts";

const route = routeMeta(["doctors"]);

/** The REST route of each procedure. */
export const specialtyRoutes = {
  list: route("GET", "/doctors/specialties", "All specialties, by name", { protect: false }),
  create: route("POST", "/doctors/specialties", "Add a specialty (admin)", {
    errorResponses: [409],
    successStatus: 201,
    successMessage: "Specialty created",
  }),
  update: route("PATCH", "/doctors/specialties/{id}", "Rename or describe a specialty (admin)", {
    errorResponses: [404, 409],
    successMessage: "Specialty updated",
  }),
  delete: route("DELETE", "/doctors/specialties/{id}", "Delete a specialty no doctor has (admin)", {
    errorResponses: [404, 409],
    successMessage: "Specialty deleted",
  }),
};

export const ZListSpecialtiesInput = specialtyList.input;

const ZSpecialtyName = z.string().trim().min(2).max(100);
const ZDescription = z.string().max(500).nullable().optional();
export const ZCreateSpecialtyInput = z.strictObject({ name: ZSpecialtyName, description: ZDescription });
export const ZUpdateSpecialtyInput = z.strictObject({
  id: z.uuid(),
  name: ZSpecialtyName.optional(),
  description: ZDescription,
});
