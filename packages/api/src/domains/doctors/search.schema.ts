import { z } from "zod";
import { routeMeta } from "#platform/meta.ts";
import { ZDoctorDto } from "./doctor-dto.ts";
import { doctorList } from "./search.service.ts";

const route = routeMeta(["doctors"]);

/** The REST route of each search procedure. */
export const searchRoutes = {
  search: route("GET", "/doctors", "Search doctors", {
    protect: false,
    description:
      "Public. `q` matches names and clinic (accent- and case-insensitive; under 3 characters, the start of a word). " +
      "`total` is exact up to 1,000 matches; beyond, `totalExact` is false and `total` a lower bound.",
    errorResponses: [429],
  }),
  get: route("GET", "/doctors/{id}", "One doctor (public)", { protect: false, errorResponses: [404, 429] }),
};

export const ZSearchInput = doctorList.input.extend({
  q: z.string().trim().min(1).max(100).optional(),
  specialtyId: z.uuid().optional(),
  specialty: z.string().trim().min(2).max(100).optional(),
  city: z.string().trim().min(1).max(100).optional(),
  minRating: z.number().min(0).max(5).optional(),
  language: z.string().min(2).max(35).optional(),
  // The fee column is a 32-bit integer.
  maxFee: z.number().int().min(0).max(2_147_483_647).optional(),
});

export const ZDoctorPage = z.object({
  items: z.array(ZDoctorDto),
  nextCursor: z.string().nullable(),
  total: z.number().int(),
  totalExact: z.boolean(),
});
