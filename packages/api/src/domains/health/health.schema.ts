import { z } from "zod";
import { INT4_MAX } from "#platform/fields/fields.ts";
import { routeMeta } from "#platform/meta.ts";
import { named } from "#platform/named.ts";

/** The REST route of each procedure. */
export const healthRoutes = {
  check: routeMeta(["platform"])("GET", "/health", "Service and database health", {
    description:
      'Readiness: one database round trip. Answers 503 UNAVAILABLE with `data.database: "down"` when the database does not answer: take the instance out of the load balancer, do not restart it (see `/health/live`).',
    protect: false,
    errors: ["UNAVAILABLE"],
  }),
  live: routeMeta(["platform"])("GET", "/health/live", "Liveness: the process answers", {
    description:
      "Touches no database: 200 as long as the process serves requests, even while `/health` answers 503. For liveness probes (restart the process when this fails).",
    protect: false,
  }),
};

export const ZHealthDto = named(
  z.object({
    status: z.literal("ok"),
    database: z.literal("up"),
    databaseKind: z.enum(["pglite", "postgres"]),
    databaseRoundTripMs: z.number().nonnegative(),
    version: z.string(),
    // An int4 of seconds is 68 years of uptime.
    uptimeSeconds: z.number().int().min(0).max(INT4_MAX),
  }),
  "Health",
  {
    description: "The service answers and its database too",
    example: {
      status: "ok",
      database: "up",
      databaseKind: "postgres",
      databaseRoundTripMs: 0.8,
      version: "0.1.0",
      uptimeSeconds: 86_400,
    },
  },
);

export const ZLivenessDto = named(
  z.object({
    status: z.literal("ok"),
    version: z.string(),
    uptimeSeconds: z.number().int().min(0).max(INT4_MAX),
  }),
  "Liveness",
  {
    description: "The process answers (the database is not asked)",
    example: { status: "ok", version: "0.1.0", uptimeSeconds: 86_400 },
  },
);
