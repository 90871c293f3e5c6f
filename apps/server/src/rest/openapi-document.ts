import {
  type AppErrorCode,
  type AppErrorData,
  type AppRouter,
  appErrors,
  procedureMetas,
} from "@medical/api";
import {
  forEachOpenApiProcedure,
  generateOpenApiDocument,
  getInputOutputParsers,
  normalizePath,
  unwrapZodType,
} from "trpc-to-openapi";
import { z } from "zod";
import { createSchema } from "zod-openapi";
import { CALENDAR_FEED_OPERATION } from "../http/calendar-feed.ts";
import { annotateOpenApiDocument } from "./openapi-annotations.ts";
import { METHOD_KEYS, METHODS, type OpenApiDocument, type Operation } from "./openapi-types.ts";
import { queryScalarOf } from "./query-coercion.ts";

type Responses = NonNullable<Operation["responses"]>;
type Schema = NonNullable<NonNullable<OpenApiDocument["components"]>["schemas"]>[string];

const BODY_METHODS: ReadonlySet<string> = new Set(["post", "put", "patch"]);
const codes = Object.keys(appErrors).filter((code): code is AppErrorCode => Object.hasOwn(appErrors, code));
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** The codes every operation can answer: an unknown query parameter is refused everywhere (400). */
const EVERYWHERE: readonly AppErrorCode[] = ["VALIDATION_FAILED", "INTERNAL"];
/** A body that is not JSON, too large, nested too deep or of another media type. */
const WITH_BODY: readonly AppErrorCode[] = ["MALFORMED_JSON", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE"];
/** A bearer token that is missing, bad, expired or revoked, or a caller without the role. */
const PROTECTED: readonly AppErrorCode[] = ["UNAUTHENTICATED", "TOKEN_EXPIRED", "FORBIDDEN"];

/** What the codes that carry `data` carry, as the examples show it. */
const DATA_EXAMPLES: {
  [C in AppErrorCode as [AppErrorData<C>] extends [never] ? never : C]: AppErrorData<C>;
} = {
  CLAIM_EXCEEDS_COVERAGE: { availableMinor: 60_000 },
  RATE_LIMITED: { retryAfterSeconds: 42 },
  UNAVAILABLE: {
    status: "unavailable",
    database: "down",
    databaseKind: "postgres",
    version: "1.0.0",
    uptimeSeconds: 3600,
  },
};

/** The codes an operation can answer: the transport's, by what the operation takes, and its own. */
export function operationErrorCodes(
  method: string,
  isProtected: boolean,
  declared: readonly AppErrorCode[] = [],
): AppErrorCode[] {
  const possible = new Set<AppErrorCode>([
    ...EVERYWHERE,
    ...(BODY_METHODS.has(method) ? WITH_BODY : []),
    ...(isProtected ? PROTECTED : []),
    ...declared,
  ]);
  return codes.filter((code) => possible.has(code));
}

/** A component per code with its own shape: VALIDATION_FAILED's issues, a code's typed `data`. */
function ownSchemaName(code: AppErrorCode): string | undefined {
  if (code !== "VALIDATION_FAILED" && !("data" in appErrors[code])) return undefined;
  const pascal = code
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_match, _sep: string, letter: string) => letter.toUpperCase());
  return code === "VALIDATION_FAILED" ? "ValidationError" : `${pascal}Error`;
}

function dataSchemaOf(code: AppErrorCode): Schema {
  const spec = appErrors[code];
  return "data" in spec ? createSchema(spec.data).schema : { type: "null" };
}

const ISSUES: Schema = {
  type: "array",
  description: "VALIDATION_FAILED only, always there: where the input is wrong.",
  items: {
    type: "object",
    required: ["path", "message"],
    properties: {
      path: {
        type: "array",
        // An index is below half the largest body (BODY_LIMIT_BYTES ≤ 10 MiB): each item takes 2 bytes.
        items: { type: ["string", "integer"], minimum: 0, maximum: 5_242_880 },
        description: "The field, `[]` for the input as a whole; a query parameter's name.",
      },
      message: { type: "string" },
    },
  },
};

/** The error envelope for these codes, with this `data`; every field listed, as a closed schema. */
function envelopeSchema(codes: readonly AppErrorCode[], data: Schema, issuesRequired: boolean): Schema {
  return {
    type: "object",
    required: ["success", "data", "message", "error"],
    properties: {
      success: { type: "boolean", const: false },
      data,
      message: { type: "string", description: "A human sentence; branch on `error.code`, never on this." },
      error: {
        type: "object",
        required: issuesRequired ? ["code", "requestId", "issues"] : ["code", "requestId"],
        properties: {
          code: { type: "string", enum: [...codes] },
          requestId: { type: "string", description: "Quote it to support; it is in the server log." },
          ...(codes.includes("VALIDATION_FAILED") ? { issues: ISSUES } : {}),
        },
      },
    },
  };
}

/** ErrorEnvelope narrowed to some codes and their data (allOf keeps the relation for generators). */
function narrowedEnvelope(codes: readonly AppErrorCode[], data: Schema, issuesRequired: boolean): Schema {
  return { allOf: [ref("ErrorEnvelope"), envelopeSchema(codes, data, issuesRequired)] };
}

function exampleDataOf(code: AppErrorCode): unknown {
  for (const [withData, example] of Object.entries(DATA_EXAMPLES)) if (withData === code) return example;
  return null;
}

/** Error examples are components, one per code: each operation refers to the ones it can answer. */
const exampleName = (code: AppErrorCode) => `Error_${code}`;

function exampleOf(code: AppErrorCode) {
  return {
    summary: code,
    value: {
      success: false,
      data: exampleDataOf(code),
      message:
        code === "VALIDATION_FAILED"
          ? "Invalid input: email: Invalid email address"
          : appErrors[code].message,
      error: {
        code,
        requestId: "5f0c6d1e-8a7b-4c3d-9e2f-1a2b3c4d5e6f",
        ...(code === "VALIDATION_FAILED"
          ? { issues: [{ path: ["email"], message: "Invalid email address" }] }
          : {}),
      },
    },
  };
}

/** One response per status: its codes' schemas (oneOf when several shapes), an example per code. */
function errorResponse(status: number, statusCodes: readonly AppErrorCode[]) {
  const plain = statusCodes.filter((code) => ownSchemaName(code) === undefined);
  const variants: Schema[] = [
    ...statusCodes.flatMap((code) => {
      const name = ownSchemaName(code);
      return name ? [ref(name)] : [];
    }),
    ...(plain.length ? [narrowedEnvelope(plain, { type: "null" }, false)] : []),
  ];
  const [only] = variants;
  return {
    description: `${status}: error.code ${statusCodes.join(", ")}`,
    content: {
      "application/json": {
        schema: variants.length === 1 && only ? only : { oneOf: variants },
        examples: Object.fromEntries(
          statusCodes.map((code) => [code, { $ref: `#/components/examples/${exampleName(code)}` }]),
        ),
      },
    },
  };
}

const ErrorEnvelopeSchema: Schema = {
  ...envelopeSchema(
    codes,
    {
      description:
        "null, or the code's data: `RateLimitedError` and `UnavailableError` type it (a 429's `retryAfterSeconds`).",
    },
    false,
  ),
  description:
    "Every error answer. Each operation's responses narrow `error.code` to the codes it can answer.",
};

/** The error components: the envelope, and one per code with a shape of its own. */
function errorSchemas(): Record<string, Schema> {
  const own = codes.flatMap((code) => {
    const name = ownSchemaName(code);
    return name
      ? [[name, narrowedEnvelope([code], dataSchemaOf(code), code === "VALIDATION_FAILED")] as const]
      : [];
  });
  return { ErrorEnvelope: ErrorEnvelopeSchema, ...Object.fromEntries(own) };
}

/**
 * Rewrites trpc-to-openapi's document to what the wire really carries: success bodies inside
 * `{ success, data, message }` under the procedure's `successStatus`, and per error status one
 * response listing exactly the codes the operation can answer (operationErrorCodes), typed.
 * Public operations say `security: []`.
 */
export function envelopeOpenApiDocument(document: OpenApiDocument, router: AppRouter): OpenApiDocument {
  const metas = new Map(
    [...procedureMetas(router).values()].map((meta) => [
      `${meta.openapi?.method} ${meta.openapi?.path}`,
      meta,
    ]),
  );
  const answered = new Set<AppErrorCode>();
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
          ...(success.headers ? { headers: success.headers } : {}),
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
      const isProtected = Boolean(operation.security?.length);
      if (!isProtected) operation.security = [];
      const byStatus = new Map<number, AppErrorCode[]>();
      for (const code of operationErrorCodes(method, isProtected, meta?.errors)) {
        const status = appErrors[code].status;
        byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
      }
      for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
        enveloped[String(status)] = errorResponse(status, statusCodes);
        for (const code of statusCodes) answered.add(code);
      }
      operation.responses = enveloped;
    }
  }
  const schemas = Object.fromEntries(
    Object.entries(document.components?.schemas ?? {}).filter(([name]) => !name.startsWith("error.")),
  );
  document.components = {
    ...document.components,
    schemas: { ...schemas, ...errorSchemas() },
    examples: {
      ...document.components?.examples,
      ...Object.fromEntries(
        codes.filter((code) => answered.has(code)).map((code) => [exampleName(code), exampleOf(code)]),
      ),
    },
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

/** What the feed route answers, as its example shows it (a cancelled visit). */
const FEED_EXAMPLE = [
  "BEGIN:VCALENDAR",
  "VERSION:2.0",
  "PRODID:-//medical-backend//Appointments feed//EN",
  "NAME:Rendez-vous",
  "BEGIN:VTIMEZONE",
  "TZID:Africa/Algiers",
  "BEGIN:STANDARD",
  "DTSTART:19810101T000000",
  "TZOFFSETFROM:+0200",
  "TZOFFSETTO:+0100",
  "END:STANDARD",
  "END:VTIMEZONE",
  "BEGIN:VEVENT",
  "UID:7c1e9a52-3f4b-4d8e-a6c2-9b0f1e2d3c4a@medical-backend",
  "SEQUENCE:1",
  "DTSTAMP:20261201T080000Z",
  "DTSTART;TZID=Africa/Algiers:20261207T093000",
  "DTEND;TZID=Africa/Algiers:20261207T100000",
  "SUMMARY:Rendez-vous avec Dr Amina Benali",
  "STATUS:CANCELLED",
  "CLASS:PRIVATE",
  "END:VEVENT",
  "END:VCALENDAR",
  "",
].join("\r\n");

/**
 * `GET /calendar/{token}.ics` is the server's own route (http/calendar-feed.ts), not a procedure:
 * the generator cannot see it, so it is written here, with the error responses every operation
 * has (no session, so no 401; the query string is ignored, so no 400).
 */
function documentCalendarFeed(document: OpenApiDocument): OpenApiDocument {
  const statusCodes = new Map<number, AppErrorCode[]>();
  for (const code of ["NOT_FOUND", "RATE_LIMITED", "INTERNAL"] as const)
    statusCodes.set(appErrors[code].status, [code]);
  document.paths = {
    ...document.paths,
    "/calendar/{token}.ics": {
      get: {
        operationId: CALENDAR_FEED_OPERATION,
        tags: ["calendar"],
        summary: "A calendar feed (iCalendar), read by calendar apps with no bearer token",
        description:
          "The caller's appointments from 90 days back to a year ahead, one event each: a stable UID, " +
          "local times with the doctor's zone, `STATUS:CANCELLED` for a cancelled one, and the other " +
          "party's name. Never the reason or any clinical text. The address comes from `POST /calendar/feed`; " +
          "rate-limited per client address and per feed.",
        security: [],
        parameters: [
          {
            name: "token",
            in: "path",
            required: true,
            description: "The secret part of the address `POST /calendar/feed` answered",
            schema: { type: "string", pattern: "^[A-Za-z0-9_-]{43}$" },
          },
        ],
        responses: {
          "200": {
            description: "The feed",
            content: { "text/calendar": { schema: { type: "string" }, example: FEED_EXAMPLE } },
          },
          ...Object.fromEntries(
            [...statusCodes].map(([status, codes]) => [String(status), errorResponse(status, codes)]),
          ),
        },
      },
    },
  };
  const examples = { ...document.components?.examples };
  for (const codes of statusCodes.values())
    for (const code of codes) examples[exampleName(code)] ??= exampleOf(code);
  document.components = { ...document.components, examples };
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
  document.info.license = { name: "MIT", identifier: "MIT" };
  return annotateOpenApiDocument(
    documentCalendarFeed(envelopeOpenApiDocument(documentDateParameters(document, router), router)),
    router,
  );
}
