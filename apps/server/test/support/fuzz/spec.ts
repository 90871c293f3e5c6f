import { z } from "zod";

/** The slice of a JSON Schema the generator reads; anything else is fuzzed as "any value". */
export interface Schema {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
}

const ZSchema: z.ZodType<Schema> = z.lazy(() =>
  z.looseObject({
    type: z.union([z.string(), z.array(z.string())]).optional(),
    format: z.string().optional(),
    enum: z.array(z.unknown()).optional(),
    properties: z.record(z.string(), ZSchema).optional(),
    items: ZSchema.optional(),
    anyOf: z.array(ZSchema).optional(),
    oneOf: z.array(ZSchema).optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    maxLength: z.number().optional(),
  }),
);

const ZOperation = z.object({
  parameters: z.array(z.object({ name: z.string(), in: z.string(), schema: ZSchema })).optional(),
  requestBody: z.object({ content: z.record(z.string(), z.object({ schema: ZSchema })) }).optional(),
});

const ZDocument = z.object({ paths: z.record(z.string(), z.record(z.string(), ZOperation)) });
const ZComponents = z.object({
  components: z.object({ schemas: z.record(z.string(), z.unknown()).default({}) }).default({ schemas: {} }),
});

/**
 * The document with each `$ref` to a named schema replaced by that schema (ADR 0014 names every
 * body), so the generator sees a body's fields. The document has no recursive schema.
 */
function inlineRefs(value: unknown, schemas: Record<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((item) => inlineRefs(item, schemas));
  if (typeof value !== "object" || value === null) return value;
  const ref: unknown = Reflect.get(value, "$ref");
  const name = typeof ref === "string" ? ref.replace("#/components/schemas/", "") : undefined;
  if (name !== undefined && name in schemas) return inlineRefs(schemas[name], schemas);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, inlineRefs(item, schemas)]));
}

export interface Operation {
  /** "GET /doctors/{id}": how the report names it. */
  name: string;
  method: string;
  path: string;
  pathParams: { name: string; schema: Schema }[];
  queryParams: { name: string; schema: Schema }[];
  body?: Schema;
}

/** Every documented REST operation of the server's live /openapi.json. */
export function operationsOf(document: unknown): Operation[] {
  const { schemas } = ZComponents.parse(document).components;
  return Object.entries(ZDocument.parse(inlineRefs(document, schemas)).paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => {
      const parameters = operation.parameters ?? [];
      const of = (where: string) =>
        parameters.filter((p) => p.in === where).map(({ name, schema }) => ({ name, schema }));
      const body = operation.requestBody?.content["application/json"]?.schema;
      return {
        name: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        pathParams: of("path"),
        queryParams: of("query"),
        ...(body ? { body } : {}),
      };
    }),
  );
}
