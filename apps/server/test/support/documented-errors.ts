import { z } from "zod";

/** The slice of /openapi.json that says which error codes each operation answers with. */
const ZSchema: z.ZodType<SchemaNode> = z.lazy(() =>
  z.looseObject({
    $ref: z.string().optional(),
    allOf: z.array(ZSchema).optional(),
    oneOf: z.array(ZSchema).optional(),
    properties: z.record(z.string(), ZSchema).optional(),
    enum: z.array(z.unknown()).optional(),
  }),
);
interface SchemaNode {
  $ref?: string;
  allOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  enum?: unknown[];
}
const ZDocument = z.object({
  paths: z.record(
    z.string(),
    z.record(
      z.string(),
      z.object({
        operationId: z.string(),
        responses: z.record(
          z.string(),
          z.object({
            content: z.record(z.string(), z.object({ schema: ZSchema })).optional(),
          }),
        ),
      }),
    ),
  ),
  components: z.object({ schemas: z.record(z.string(), ZSchema) }),
});

/** "GET /doctors/{id}" → status → the `error.code` values the document allows there. */
export type DocumentedErrors = Map<string, Map<number, Set<string>>>;

/**
 * Reads, for every operation and error status, the codes its response schema allows: each oneOf
 * branch's codes, an allOf narrowing wins over the general envelope it extends.
 */
export function documentedErrors(document: unknown): {
  byOperation: DocumentedErrors;
  operationIds: Map<string, string>;
} {
  const { paths, components } = ZDocument.parse(document);
  const resolve = (node: SchemaNode): SchemaNode => {
    const name = node.$ref?.replace("#/components/schemas/", "");
    const target = name === undefined ? undefined : components.schemas[name];
    return target ? resolve(target) : node;
  };
  const codesOf = (node: SchemaNode): string[] => {
    const schema = resolve(node);
    if (schema.oneOf) return schema.oneOf.flatMap(codesOf);
    if (schema.allOf) {
      const narrowed = schema.allOf.filter((part) => !part.$ref).flatMap(codesOf);
      return narrowed.length ? narrowed : schema.allOf.flatMap(codesOf);
    }
    const code = schema.properties?.error?.properties?.code?.enum ?? [];
    return code.filter((value): value is string => typeof value === "string");
  };
  const byOperation: DocumentedErrors = new Map();
  const operationIds = new Map<string, string>();
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const name = `${method.toUpperCase()} ${path}`;
      operationIds.set(operation.operationId, name);
      const statuses = new Map<number, Set<string>>();
      for (const [status, response] of Object.entries(operation.responses)) {
        const schema = response.content?.["application/json"]?.schema;
        if (Number(status) >= 400 && schema) statuses.set(Number(status), new Set(codesOf(schema)));
      }
      byOperation.set(name, statuses);
    }
  }
  return { byOperation, operationIds };
}
