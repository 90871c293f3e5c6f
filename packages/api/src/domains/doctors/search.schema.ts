import { z } from "zod";
import { text } from "#platform/fields/fields.ts";
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
    errors: ["RATE_LIMITED"],
  }),
  get: route("GET", "/doctors/{id}", "One doctor (public)", {
    protect: false,
    errors: ["NOT_FOUND", "RATE_LIMITED"],
  }),
};

export const ZSearchInput = doctorList.input.extend({
  q: text(100, { min: 1 }).optional(),
  specialtyId: z.uuid().optional(),
  specialty: text(100, { min: 2 }).optional(),
  city: text(100, { min: 1 }).optional(),
  minRating: z.number().min(0).max(5).optional(),
  language: text(35, { min: 2, trim: false }).optional(),
  // The fee column is a 32-bit integer.
  maxFee: z.number().int().min(0).max(2_147_483_647).optional(),
});

export const ZDoctorPage = z.object({
  items: z.array(ZDoctorDto),
  nextCursor: z.string().nullable(),
  total: z.number().int(),
  totalExact: z.boolean(),
});
