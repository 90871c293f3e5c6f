import type { OpenApiMeta } from "trpc-to-openapi";
import type { AppErrorCode } from "./errors/errors.ts";

/**
 * Procedure meta. `successMessage` becomes the envelope's `message`; `successStatus` the REST
 * status of a success (trpc-to-openapi has no such field): 201 for creates, 202 for accepted work.
 * `errors` lists the codes the procedure's own rules raise (NOT_FOUND, CONFLICT, RATE_LIMITED, …);
 * /openapi.json adds the codes of the transport (validation, body, authentication, INTERNAL).
 */
export type Meta = OpenApiMeta<{
  successMessage?: string;
  successStatus?: 200 | 201 | 202;
  errors?: readonly AppErrorCode[];
}>;

type OpenApi = NonNullable<Meta["openapi"]>;

/**
 * What a route states besides its method, path and summary. Error statuses come from `errors`
 * (docs/decisions/0015-openapi-errors-and-strict-query.md), never from `errorResponses`.
 */
export type RouteOptions = Omit<OpenApi, "method" | "path" | "summary" | "tags" | "errorResponses"> &
  Pick<Meta, "successMessage" | "successStatus" | "errors">;

/**
 * A domain's meta builder: its OpenAPI tags once, then one call per procedure,
 * `route("GET", "/doctors/{id}", "One doctor (public)", { protect: false, errors: ["NOT_FOUND"] })`.
 */
export function routeMeta(tags: string[]) {
  return (
    method: OpenApi["method"],
    path: OpenApi["path"],
    summary: string,
    { successMessage, successStatus, errors, ...openapi }: RouteOptions = {},
  ): Meta => ({
    openapi: { method, path, tags, summary, ...openapi },
    ...(successMessage === undefined ? {} : { successMessage }),
    ...(successStatus === undefined ? {} : { successStatus }),
    ...(errors === undefined ? {} : { errors }),
  });
}
