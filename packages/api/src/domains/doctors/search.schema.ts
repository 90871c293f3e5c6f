import { z } from "zod";
import { text } from "#platform/fields/fields.ts";
import { ZNextCursor } from "#platform/list.ts";
import { routeMeta } from "#platform/meta.ts";
import { named } from "#platform/named.ts";
import { doctorExample, ZDoctorDto } from "./doctor-dto.ts";
import { doctorList, EXACT_TOTAL_LIMIT } from "./search.service.ts";

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

// Each filter is described before `.optional()`: the REST generator rebuilds optional query wrappers.
export const ZSearchInput = doctorList.input.extend({
  q: text(100, { min: 1 })
    .meta({ description: "Words of the doctor's name or clinic, accent- and case-insensitive" })
    .optional(),
  specialtyId: z.uuid().meta({ description: "Doctors with this specialty" }).optional(),
  specialty: text(100, { min: 2 })
    .meta({
      description: "Doctors with a specialty whose name contains this text (accent- and case-insensitive)",
    })
    .optional(),
  city: text(100, { min: 1 })
    .meta({ description: "The whole city name (`Alger`, not `Alg`), accent- and case-insensitive" })
    .optional(),
  minRating: z
    .number()
    .min(0)
    .max(5)
    .meta({ description: "Doctors rated at least this average (0 to 5)" })
    .optional(),
  language: text(35, { min: 2, trim: false })
    .meta({ description: "Doctors who speak this BCP-47 language (`fr`, `ar`, `kab`)" })
    .optional(),
  // The fee column is a 32-bit integer.
  maxFee: z
    .number()
    .int()
    .min(0)
    .max(2_147_483_647)
    .meta({
      description: "Doctors whose fee is at most this, in minor units (centimes of DZD: 300000 is 3,000 DZD)",
    })
    .optional(),
});

export const ZDoctorPage = named(
  z.object({
    items: z.array(ZDoctorDto),
    nextCursor: ZNextCursor,
    total: z
      .number()
      .int()
      .min(0)
      .max(EXACT_TOTAL_LIMIT)
      .meta({ description: `Matches, exact up to ${EXACT_TOTAL_LIMIT}` }),
    totalExact: z.boolean().meta({ description: `False when more than ${EXACT_TOTAL_LIMIT} doctors match` }),
  }),
  "DoctorPage",
  {
    description: "One page of a doctor search, with the number of matches",
    example: { items: [doctorExample], nextCursor: null, total: 1, totalExact: true },
  },
);
