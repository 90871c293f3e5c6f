import { z } from "zod";
import { routeMeta } from "#platform/meta.ts";

/** The REST route of each procedure. */
export const healthRoutes = {
  check: routeMeta(["platform"])("GET", "/health", "Service and database health", {
    description:
      'One database round trip. Answers 503 UNAVAILABLE with `data.database: "down"` when the database does not answer.',
    protect: false,
    errors: ["UNAVAILABLE"],
  }),
};

export const ZHealthDto = z.object({
  status: z.literal("ok"),
  database: z.literal("up"),
  databaseKind: z.enum(["pglite", "postgres"]),
  databaseRoundTripMs: z.number().nonnegative(),
  version: z.string(),
  uptimeSeconds: z.number().int().nonnegative(),
});
