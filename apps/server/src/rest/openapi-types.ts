import type { generateOpenApiDocument, OpenApiMethod } from "trpc-to-openapi";

/** The document trpc-to-openapi generates, which openapi-document.ts and openapi-annotations.ts rewrite. */
export type OpenApiDocument = ReturnType<typeof generateOpenApiDocument>;
export type Operation = NonNullable<NonNullable<OpenApiDocument["paths"]>[string]["get"]>;

export const METHODS = ["get", "put", "post", "patch", "delete"] as const;

/** A procedure's meta method, as the key of its operation in a path item. */
export const METHOD_KEYS = {
  GET: "get",
  PUT: "put",
  POST: "post",
  PATCH: "patch",
  DELETE: "delete",
} as const satisfies Record<OpenApiMethod, (typeof METHODS)[number]>;
