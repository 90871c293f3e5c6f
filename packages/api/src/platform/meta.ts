import type { OpenApiMeta } from "trpc-to-openapi";

/**
 * Procedure meta. `successMessage` becomes the envelope's `message`; `successStatus` the REST
 * status of a success (trpc-to-openapi has no such field): 201 for creates, 202 for accepted work.
 */
export type Meta = OpenApiMeta<{ successMessage?: string; successStatus?: 200 | 201 | 202 }>;
