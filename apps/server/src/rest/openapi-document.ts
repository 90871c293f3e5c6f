import { type AppErrorCode, type AppRouter, appErrors, procedureMetas } from "@medical/api";
import {
  forEachOpenApiProcedure,
  generateOpenApiDocument,
  getInputOutputParsers,
  normalizePath,
  type OpenApiMethod,
  unwrapZodType,
} from "trpc-to-openapi";
import { z } from "zod";
import { queryScalarOf } from "./query-coercion.ts";

type OpenApiDocument = ReturnType<typeof generateOpenApiDocument>;
type Operation = NonNullable<NonNullable<OpenApiDocument["paths"]>[string]["get"]>;
type Responses = NonNullable<Operation["responses"]>;
type Schema = NonNullable<NonNullable<OpenApiDocument["components"]>["schemas"]>[string];

const METHODS = ["get", "put", "post", "patch", "delete"] as const;
const METHOD_KEYS = {
  GET: "get",
  PUT: "put",
  POST: "post",
  PATCH: "patch",
  DELETE: "delete",
} as const satisfies Record<OpenApiMethod, (typeof METHODS)[number]>;
const ERROR_REF = { $ref: "#/components/schemas/ErrorEnvelope" };

function errorResponse(description: string) {
  return { description, content: { "application/json": { schema: ERROR_REF } } };
}

const ErrorEnvelopeSchema: Schema = {
  type: "object",
  required: ["success", "data", "message", "error"],
  properties: {
    success: { type: "boolean", const: false },
    data: {
      type: ["object", "null"],
      description: 'null, or a small payload that helps the client (health\'s `{ database: "down" }`)',
    },
    message: { type: "string", description: "A human sentence; branch on `error.code`, never on this." },
    error: {
      type: "object",
      required: ["code", "requestId"],
      properties: {
        code: { type: "string", enum: Object.keys(appErrors) },
        requestId: { type: "string", description: "Quote it to support; it is in the server log." },
        issues: {
          type: "array",
          description: "Validation errors only",
          items: {
            type: "object",
            required: ["path", "message"],
            properties: {
              path: { type: "array", items: { type: ["string", "integer"] } },
              message: { type: "string" },
            },
          },
        },
      },
    },
  },
};

function codesWithStatus(status: number): AppErrorCode[] {
  return (Object.keys(appErrors) as AppErrorCode[]).filter((code) => appErrors[code].status === status);
}

/** The error statuses every operation can answer, by what it declares. */
function errorStatuses(operation: Operation, responses: Responses): number[] {
  const statuses = new Set([400, 500]);
  if (operation.security?.length) {
    statuses.add(401);
    statuses.add(403);
  }
  for (const key of Object.keys(responses)) if (/^[45]\d\d$/.test(key)) statuses.add(Number(key));
  return [...statuses].sort();
}

/**
 * Rewrites trpc-to-openapi's document to what the wire really carries: success bodies inside
 * `{ success, data, message }` under the procedure's `successStatus`, and every error as one
 * `ErrorEnvelope` with the codes that status can carry.
 */
export function envelopeOpenApiDocument(document: OpenApiDocument, router: AppRouter): OpenApiDocument {
  const metas = new Map(
    [...procedureMetas(router).values()].map((meta) => [
      `${meta.openapi?.method} ${meta.openapi?.path}`,
      meta,
    ]),
  );
  for (const [path, pathItem] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!operation?.responses) continue;
      const responses = operation.responses;
      const meta = metas.get(`${method.toUpperCase()} ${path}`);
      const success = responses["200"];
      const enveloped: Responses = {};
      if (success && "content" in success && success.content?.["application/json"]?.schema) {
        const data = success.content["application/json"].schema;
        enveloped[String(meta?.successStatus ?? 200)] = {
          description: meta?.successMessage ?? success.description ?? "Success",
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["success", "data", "message"],
                properties: {
                  success: { type: "boolean", const: true },
                  data,
                  message: { type: ["string", "null"] },
                },
              },
            },
          },
        };
      }
      for (const status of errorStatuses(operation, responses)) {
        const codes = codesWithStatus(status);
        enveloped[String(status)] = errorResponse(codes.length ? `error.code: ${codes.join(", ")}` : "Error");
      }
      operation.responses = enveloped;
    }
  }
  const schemas = Object.fromEntries(
    Object.entries(document.components?.schemas ?? {}).filter(([name]) => !name.startsWith("error.")),
  );
  document.components = {
    ...document.components,
    schemas: { ...schemas, ErrorEnvelope: ErrorEnvelopeSchema },
  };
  return document;
}

/**
 * zod-openapi documents `z.date()` as a bare string; in the URL it is an ISO-8601 instant (the
 * REST layer converts it, query-coercion.ts), so the parameter says `format: date-time`.
 */
function documentDateParameters(document: OpenApiDocument, router: AppRouter): OpenApiDocument {
  forEachOpenApiProcedure(router._def.procedures, ({ meta, procedure }) => {
    const input = unwrapZodType(getInputOutputParsers(procedure).inputParser, true);
    const operation = document.paths?.[normalizePath(meta.openapi.path)]?.[METHOD_KEYS[meta.openapi.method]];
    if (!(input instanceof z.ZodObject) || !operation?.parameters) return;
    for (const parameter of operation.parameters) {
      if ("$ref" in parameter || !parameter.schema || "$ref" in parameter.schema) continue;
      const field: z.core.$ZodType | undefined = input.shape[parameter.name];
      if (field && queryScalarOf(field) === "date")
        parameter.schema = { ...parameter.schema, format: "date-time" };
    }
  });
  return document;
}

export function buildOpenApiDocument(router: AppRouter, version: string): OpenApiDocument {
  const document = generateOpenApiDocument(router, {
    title: "medical-backend API",
    description:
      "REST mirror of the tRPC procedures. Every JSON answer is `{ success, data, message }`; errors add " +
      "`error: { code, requestId, issues? }`. Lists answer `{ items, nextCursor }`.",
    version,
    baseUrl: "/api/v1",
    securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
  });
  return envelopeOpenApiDocument(documentDateParameters(document, router), router);
}
