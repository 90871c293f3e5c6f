import type { OpenApiMeta } from "trpc-to-openapi";

/**
 * Procedure meta. `successMessage` becomes the envelope's `message`; `successStatus` the REST
 * status of a success (trpc-to-openapi has no such field): 201 for creates, 202 for accepted work.
 */
export type Meta = OpenApiMeta<{ successMessage?: string; successStatus?: 200 | 201 | 202 }>;

type OpenApi = NonNullable<Meta["openapi"]>;

/** What a route states besides its method, path and summary. */
export type RouteOptions = Omit<OpenApi, "method" | "path" | "summary" | "tags"> &
  Pick<Meta, "successMessage" | "successStatus">;

/**
 * A domain's meta builder: its OpenAPI tags once, then one call per procedure,
 * `route("GET", "/doctors/{id}", "One doctor (public)", { protect: false, errorResponses: [404] })`.
 */
export function routeMeta(tags: string[]) {
  return (
    method: OpenApi["method"],
    path: OpenApi["path"],
    summary: string,
    { successMessage, successStatus, ...openapi }: RouteOptions = {},
  ): Meta => ({
    openapi: { method, path, tags, summary, ...openapi },
    ...(successMessage === undefined ? {} : { successMessage }),
    ...(successStatus === undefined ? {} : { successStatus }),
  });
}
