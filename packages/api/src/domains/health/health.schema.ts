import { z } from "zod";
import type { Meta } from "#platform/meta.ts";

export const healthMeta = {
  openapi: {
    method: "GET",
    path: "/health",
    tags: ["platform"],
    summary: "Service and database health",
    description:
      'One database round trip. Answers 503 UNAVAILABLE with `data.database: "down"` when the database does not answer.',
    protect: false,
    errorResponses: [503],
  },
} satisfies Meta;

export const ZHealthDto = z.object({
  status: z.literal("ok"),
  database: z.literal("up"),
  databaseKind: z.enum(["pglite", "postgres"]),
  databaseRoundTripMs: z.number().nonnegative(),
  version: z.string(),
  uptimeSeconds: z.number().int().nonnegative(),
});
