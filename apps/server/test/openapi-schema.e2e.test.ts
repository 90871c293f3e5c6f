import { appRouter } from "@medical/api";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { z } from "zod";
import { startTestServer, type TestServer } from "./support/test-server.ts";

/**
 * The document a generator reads (ADR 0014), walked as served by the production router: named
 * schemas, bounded integers, formats, descriptions and examples that validate.
 */
let server: TestServer;
let raw: unknown;

const ZSchemaObject = z.record(z.string(), z.unknown());
const ZMedia = z.object({
  schema: ZSchemaObject.optional(),
  example: z.unknown().optional(),
  // Error examples are components the responses refer to (ADR 0015).
  examples: z
    .record(z.string(), z.union([z.object({ value: z.unknown() }), z.object({ $ref: z.string() })]))
    .optional(),
});
const ZContent = z.record(z.string(), ZMedia);
const ZParameter = z.object({
  name: z.string(),
  in: z.string(),
  description: z.string().optional(),
  schema: ZSchemaObject.optional(),
  example: z.unknown().optional(),
});
const ZOperation = z.object({
  tags: z.array(z.string()),
  parameters: z.array(ZParameter).optional(),
  requestBody: z.object({ content: ZContent }).optional(),
  responses: z.record(z.string(), z.object({ content: ZContent.optional() })),
});
const ZDocument = z.object({
  tags: z.array(z.object({ name: z.string(), description: z.string().optional() })),
  paths: z.record(z.string(), z.record(z.string(), ZOperation)),
  components: z.object({ schemas: z.record(z.string(), ZSchemaObject) }),
});
let document: z.infer<typeof ZDocument>;

beforeAll(async () => {
  server = await startTestServer({ router: appRouter });
  raw = await (await fetch(`${server.url}/openapi.json`)).json();
  document = ZDocument.parse(raw);
});
afterAll(() => server.close());

const operations = () =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({
      name: `${method.toUpperCase()} ${path}`,
      operation,
    })),
  );

/** The success answer's content, whatever its media type (the calendar feed's is text/calendar). */
const successContent = (operation: z.infer<typeof ZOperation>) =>
  Object.entries(operation.responses).find(([status]) => /^2\d\d$/.test(status))?.[1].content;
const successOf = (operation: z.infer<typeof ZOperation>) => successContent(operation)?.["application/json"];
/** An operation that answers something else than JSON on success: no DTO to name. */
const answersOtherThanJson = (operation: z.infer<typeof ZOperation>) => {
  const content = successContent(operation);
  return content !== undefined && !("application/json" in content);
};

/** A named example's value, written in place or referred to in components.examples. */
function exampleValue(named: unknown): unknown {
  const example = ZSchemaObject.parse(named);
  if (typeof example.$ref !== "string") return example.value;
  const components = ZSchemaObject.parse(ZSchemaObject.parse(raw).components);
  const name = example.$ref.replace("#/components/examples/", "");
  return ZSchemaObject.parse(ZSchemaObject.parse(components.examples)[name]).value;
}

/** Every object node of a JSON value, with its JSON pointer. */
function* nodes(value: unknown, pointer = ""): Generator<{ node: Record<string, unknown>; pointer: string }> {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* nodes(item, `${pointer}/${index}`);
  } else if (typeof value === "object" && value !== null) {
    const node = ZSchemaObject.parse(value);
    yield { node, pointer };
    for (const [key, child] of Object.entries(node))
      yield* nodes(child, `${pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`);
  }
}

/** The schemas a property may hold: itself, or each branch of a nullable `anyOf`. */
function branches(schema: unknown): Record<string, unknown>[] {
  const parsed = ZSchemaObject.safeParse(schema);
  if (!parsed.success) return [];
  const anyOf = parsed.data.anyOf;
  return Array.isArray(anyOf) ? anyOf.flatMap(branches) : [parsed.data];
}

/** Every named property of every schema in the document, and every parameter, with its schema. */
function fields(): { name: string; where: string; schema: Record<string, unknown> }[] {
  const properties = [...nodes(raw)].flatMap(({ node, pointer }) => {
    const parsed = ZSchemaObject.safeParse(node.properties);
    if (!parsed.success || pointer.endsWith("/properties")) return [];
    return Object.entries(parsed.data).flatMap(([name, schema]) =>
      branches(schema).map((branch) => ({ name, where: `${pointer}/properties/${name}`, schema: branch })),
    );
  });
  const parameters = operations().flatMap(({ name, operation }) =>
    (operation.parameters ?? []).flatMap((parameter) =>
      branches(parameter.schema).map((schema) => ({
        name: parameter.name,
        where: `${name} ?${parameter.name}`,
        schema,
      })),
    ),
  );
  return [...properties, ...parameters];
}

/** A schema without what only documents it: what is left is its shape. */
function shapeOf(schema: Record<string, unknown>): string {
  const { description: _description, examples: _examples, example: _example, ...shape } = schema;
  return JSON.stringify(shape);
}

describe("/openapi.json for generators", () => {
  test("names every DTO: bodies and success data are $refs (or null), and pages list $refs", () => {
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining([
        "Doctor",
        "DoctorPage",
        "FavoriteDoctorPage",
        "Patient",
        "PatientPage",
        "User",
        "UserPage",
        "Session",
        "Review",
        "ReviewPage",
        "ModeratedReview",
        "ModeratedReviewPage",
        "Specialty",
        "SpecialtyPage",
        "AuditEntry",
        "AuditPage",
        "Health",
        "Money",
        "Clinical",
        "RegisterInput",
        "CreateDoctorInput",
        "UpdatePatientInput",
      ]),
    );
    const unnamed: string[] = [];
    for (const { name, operation } of operations()) {
      if (answersOtherThanJson(operation)) continue;
      const body = operation.requestBody?.content["application/json"]?.schema;
      if (body && !("$ref" in body)) unnamed.push(`${name} request body`);
      const data = ZSchemaObject.safeParse(successOf(operation)?.schema?.properties);
      const schema = data.success ? ZSchemaObject.safeParse(data.data.data) : undefined;
      if (!schema?.success || !("$ref" in schema.data || schema.data.type === "null"))
        unnamed.push(`${name} data`);
    }
    for (const [name, schema] of Object.entries(document.components.schemas)) {
      const items = ZSchemaObject.safeParse(ZSchemaObject.safeParse(schema.properties).data?.items).data;
      if (name.endsWith("Page") && !(items?.type === "array" && "$ref" in ZSchemaObject.parse(items.items)))
        unnamed.push(`${name} items`);
    }
    expect(unnamed).toEqual([]);
  });

  test("inlines no copy of a named schema", () => {
    const named = new Map(Object.entries(document.components.schemas).map(([name, s]) => [shapeOf(s), name]));
    const copies = [...nodes(raw)]
      .filter(({ pointer }) => !/^\/components\/schemas\/[^/]+$/.test(pointer))
      .flatMap(({ node, pointer }) => {
        const name = node.type === "object" ? named.get(shapeOf(node)) : undefined;
        return name ? [`${pointer} copies ${name}`] : [];
      });
    expect(copies).toEqual([]);
  });

  test("bounds every integer, within what the server really holds", () => {
    const bound = (node: Record<string, unknown>, ...keys: string[]) =>
      keys.map((key) => node[key]).find((value) => typeof value === "number");
    const unbounded = [...nodes(raw)]
      .filter(
        ({ node }) => node.type === "integer" || (Array.isArray(node.type) && node.type.includes("integer")),
      )
      .filter(({ node }) => {
        const low = bound(node, "minimum", "exclusiveMinimum");
        const high = bound(node, "maximum", "exclusiveMaximum");
        return (
          low === undefined ||
          high === undefined ||
          Math.abs(low) >= Number.MAX_SAFE_INTEGER ||
          Math.abs(high) >= Number.MAX_SAFE_INTEGER
        );
      })
      .map(({ pointer }) => pointer);
    expect(unbounded).toEqual([]);
  });

  test("states the format of ids, emails, instants and dates", () => {
    const expected = (name: string): string[] | undefined => {
      // Request ids may come from a proxy's X-Request-Id: any text.
      if (name === "requestId") return undefined;
      if (name === "id" || name.endsWith("Id")) return ["uuid"];
      if (name === "email") return ["email"];
      if (name === "at" || name.endsWith("At")) return ["date-time"];
      // A range of instants, or of calendar days in a doctor's zone (availability).
      if (name === "from" || name === "to") return ["date-time", "date"];
      if (name === "dateOfBirth" || name.endsWith("Date")) return ["date"];
      return undefined;
    };
    const missing = fields()
      .filter(
        ({ name, schema }) => schema.type === "string" && !expected(name)?.includes(String(schema.format)),
      )
      .filter(({ name }) => expected(name) !== undefined)
      .map(({ where, schema }) => `${where}: ${String(schema.format)}`);
    const idLists = fields()
      .filter(({ name, schema }) => name.endsWith("Ids") && schema.type === "array")
      .filter(({ schema }) => ZSchemaObject.parse(schema.items).format !== "uuid")
      .map(({ where }) => where);
    expect([...missing, ...idLists]).toEqual([]);
    expect(fields().filter(({ name }) => expected(name) !== undefined).length).toBeGreaterThan(50);
  });

  test("describes every parameter and every tag", () => {
    const parameters = operations().flatMap(({ name, operation }) =>
      (operation.parameters ?? [])
        .filter((p) => !p.description?.trim())
        .map((p) => `${name} ${p.in} ${p.name}`),
    );
    expect(parameters).toEqual([]);
    const described = new Map(document.tags.map((tag) => [tag.name, tag.description?.trim()]));
    const tags = new Set(operations().flatMap(({ operation }) => operation.tags));
    expect([...tags].filter((tag) => !described.get(tag))).toEqual([]);
    const maxFee = document.paths["/doctors"]?.get?.parameters?.find((p) => p.name === "maxFee");
    expect(maxFee?.description).toMatch(/minor units/);
  });

  test("shows an example of every success answer and every request body", () => {
    const missing = operations().flatMap(({ name, operation }) => [
      ...(Object.values(successContent(operation) ?? {}).some((media) => media.example !== undefined)
        ? []
        : [`${name} answer`]),
      ...(operation.requestBody && operation.requestBody.content["application/json"]?.example === undefined
        ? [`${name} body`]
        : []),
    ]);
    expect(missing).toEqual([]);
    const doctor = document.paths["/doctors/{id}"]?.get;
    expect(doctor && successOf(doctor)).toMatchObject({
      example: { success: true, data: { lastName: expect.any(String) }, message: null },
    });
  });

  test("every example validates against its own schema", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(ZSchemaObject.parse(raw), "openapi.json");
    const invalid: string[] = [];
    const check = (where: string, example: unknown) => {
      // One validator per schema, compiled once and cached by ajv: a page's schema is checked for
      // every example that refers to it.
      const validate = ajv.getSchema(`openapi.json#${encodeURI(where)}`);
      if (!validate) throw new Error(`no schema at ${where}`);
      if (!validate(example))
        invalid.push(`${where}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(example)}`);
    };
    let checked = 0;
    for (const { node, pointer } of nodes(raw)) {
      if (pointer.startsWith("/components/schemas/") && Array.isArray(node.examples) && "type" in node)
        for (const example of node.examples) {
          check(pointer, example);
          checked++;
        }
      if ("schema" in node && (pointer.includes("/content/") || pointer.includes("/parameters/"))) {
        const examples = [
          ...("example" in node ? [node.example] : []),
          ...Object.values(ZSchemaObject.safeParse(node.examples).data ?? {}).map(exampleValue),
        ];
        for (const example of examples) {
          check(`${pointer}/schema`, example);
          checked++;
        }
      }
    }
    expect(invalid).toEqual([]);
    expect(checked).toBeGreaterThan(operations().length);
  });
});
