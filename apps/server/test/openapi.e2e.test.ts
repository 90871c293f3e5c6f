import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { z } from "zod";
import { type DocumentedErrors, documentedErrors } from "./support/documented-errors.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
let rawDocument: unknown;
let errors: DocumentedErrors;

/** The parts of the document these tests read, validated rather than assumed. */
const ZDocument = z.object({
  openapi: z.string(),
  paths: z.record(
    z.string(),
    z.record(
      z.string(),
      z.object({
        operationId: z.string(),
        security: z.array(z.record(z.string(), z.array(z.string()))).optional(),
        parameters: z
          .array(
            z.object({
              name: z.string(),
              in: z.string(),
              schema: z.record(z.string(), z.unknown()).optional(),
            }),
          )
          .optional(),
        responses: z.record(
          z.string(),
          z.object({
            content: z
              .record(
                z.string(),
                z.object({
                  schema: z.record(z.string(), z.unknown()),
                  examples: z.record(z.string(), z.object({ $ref: z.string() })).optional(),
                }),
              )
              .optional(),
          }),
        ),
      }),
    ),
  ),
  components: z.object({
    schemas: z.record(z.string(), z.unknown()),
    examples: z.record(z.string(), z.object({ value: z.unknown() })),
    securitySchemes: z.record(z.string(), z.unknown()),
  }),
});
let document: z.infer<typeof ZDocument>;

beforeAll(async () => {
  server = await startTestServer();
  rawDocument = await (await fetch(`${server.url}/openapi.json`)).json();
  document = ZDocument.parse(rawDocument);
  errors = documentedErrors(rawDocument).byOperation;
});
afterAll(() => server.close());

const ZAnswer = z.object({ success: z.boolean(), error: z.object({ code: z.string() }).optional() });

const operations = () =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
  );

describe("/openapi.json", () => {
  test("declares the bearer JWT scheme and one error envelope instead of the generator's error schemas", () => {
    expect(document.openapi).toBe("3.1.0");
    expect(document.components.securitySchemes.bearerAuth).toEqual({
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
    });
    expect(document.components.schemas.ErrorEnvelope).toMatchObject({
      required: ["success", "data", "message", "error"],
    });
    expect(Object.keys(document.components.schemas).filter((name) => name.startsWith("error."))).toEqual([]);
  });

  test("describes success bodies inside the envelope, under the procedure's success status", () => {
    const health = document.paths["/health"]?.get;
    const schema = health?.responses["200"]?.content?.["application/json"]?.schema;
    expect(schema).toMatchObject({
      required: ["success", "data", "message"],
      properties: { success: { const: true }, data: { $ref: "#/components/schemas/Health" } },
    });
    expect(document.components.schemas.Health).toMatchObject({ properties: { database: { const: "up" } } });
    expect(Object.keys(health?.responses ?? {})).toEqual(
      expect.arrayContaining(["200", "400", "500", "503"]),
    );
    expect(health?.responses["503"]?.content?.["application/json"]?.schema).toEqual({
      $ref: "#/components/schemas/UnavailableError",
    });
    const echo = document.paths["/probe/echo"]?.post;
    expect(Object.keys(echo?.responses ?? {})).toContain("201");
    expect(Object.keys(echo?.responses ?? {})).not.toContain("200");
  });

  test("documents every query parameter with its type", () => {
    const parameters = document.paths["/probe/items"]?.get?.parameters ?? [];
    const limit = parameters.find((p) => p.name === "limit");
    expect(limit).toMatchObject({ in: "query", schema: { type: "integer" } });
    expect(parameters.map((p) => p.name)).toEqual(expect.arrayContaining(["limit", "active"]));
  });

  test("documents number, boolean and date query parameters as integer, number, boolean and date-time", () => {
    const typeOf = (method: "get" | "delete", name: string) =>
      document.paths["/probe/typed"]?.[method]?.parameters?.find((p) => p.name === name && p.in === "query")
        ?.schema;
    expect(typeOf("get", "count")).toMatchObject({ type: "integer", default: 20 });
    expect(typeOf("get", "ratio")).toMatchObject({ type: "number" });
    expect(typeOf("get", "flag")).toMatchObject({ type: "boolean" });
    expect(typeOf("get", "since")).toEqual({ type: "string", format: "date-time" });
    expect(typeOf("get", "name")).toEqual({ type: "string" });
    expect(typeOf("delete", "before")).toEqual({ type: "string", format: "date-time" });
  });

  test("every documented operation is answered by its own procedure, with a documented status", async () => {
    const placeholder = "00000000-0000-4000-8000-000000000000";
    for (const { path, method, operation } of operations()) {
      const url = `${server.url}/api/v1${path.replace(/\{[^}]+\}/g, placeholder)}`;
      const hasBody = ["post", "put", "patch"].includes(method);
      const response = await fetch(url, {
        method: method.toUpperCase(),
        ...(hasBody ? { body: "{}", headers: { "content-type": "application/json" } } : {}),
      });
      expect(response.headers.get("x-operation-id"), `${method} ${path}`).toBe(operation.operationId);
      expect(Object.keys(operation.responses), `${method} ${path}`).toContain(String(response.status));
      const body = ZAnswer.parse(await response.json());
      if (body.error) {
        const documented = errors.get(`${method.toUpperCase()} ${path}`)?.get(response.status);
        expect([...(documented ?? [])], `${method} ${path} ${response.status}`).toContain(body.error.code);
      }
    }
  });
});

describe("error codes per operation", () => {
  const codes = (operation: string, status: number) => [...(errors.get(operation)?.get(status) ?? [])];

  test("lists only the codes an operation can produce", () => {
    expect(codes("GET /health", 400)).toEqual(["VALIDATION_FAILED"]);
    expect(codes("GET /health", 401)).toEqual([]);
    expect(codes("POST /auth/register", 400)).toEqual(
      expect.arrayContaining(["VALIDATION_FAILED", "MALFORMED_JSON", "WEAK_PASSWORD"]),
    );
    expect(codes("POST /auth/register", 409)).toEqual(["EMAIL_TAKEN"]);
    expect(codes("POST /auth/login", 401)).toEqual(["INVALID_CREDENTIALS"]);
    expect(codes("PATCH /users/{id}", 401)).toEqual(["UNAUTHENTICATED", "TOKEN_EXPIRED"]);
    expect(codes("PATCH /users/{id}", 409)).toEqual(["LAST_ADMIN"]);
    expect(codes("DELETE /doctors/specialties/{id}", 409)).toEqual(["IN_USE"]);
    expect(codes("GET /doctors", 429)).toEqual(["RATE_LIMITED"]);
    for (const [operation, statuses] of errors)
      expect(statuses.get(500), operation).toEqual(new Set(["INTERNAL"]));
  });

  test("leaves out the codes that cannot happen there", () => {
    expect(codes("GET /health", 400)).not.toContain("MALFORMED_JSON");
    expect(codes("GET /doctors", 413)).toEqual([]);
    expect(codes("POST /auth/register", 409)).not.toContain("LAST_ADMIN");
    expect(codes("POST /auth/register", 401)).toEqual([]);
    expect(codes("GET /users/me", 429)).toEqual([]);
    expect(codes("GET /doctors/specialties", 429)).toEqual([]);
  });

  test("public operations say security: [], the others the bearer scheme", () => {
    expect(document.paths["/doctors"]?.get?.security).toEqual([]);
    expect(document.paths["/auth/login"]?.post?.security).toEqual([]);
    expect(document.paths["/users/me"]?.get?.security).toEqual([{ bearerAuth: [] }]);
  });

  test("types the data of the codes that carry some, and shows each code in its own example", () => {
    const schemas = document.components.schemas;
    expect(schemas.RateLimitedError).toMatchObject({
      allOf: [
        { $ref: "#/components/schemas/ErrorEnvelope" },
        {
          required: ["success", "data", "message", "error"],
          properties: {
            data: { required: ["retryAfterSeconds"], properties: { retryAfterSeconds: { type: "integer" } } },
            error: { properties: { code: { enum: ["RATE_LIMITED"] } } },
          },
        },
      ],
    });
    expect(schemas.UnavailableError).toMatchObject({
      allOf: [{}, { properties: { data: { properties: { database: { const: "down" } } } } }],
    });
    expect(schemas.ValidationError).toMatchObject({
      allOf: [{}, { properties: { error: { required: ["code", "requestId", "issues"] } } }],
    });
    const media = (status: string) =>
      document.paths["/auth/login"]?.post?.responses[status]?.content?.["application/json"];
    const example = (status: string, code: string) => {
      const name = media(status)?.examples?.[code]?.$ref.replace("#/components/examples/", "");
      return name === undefined ? undefined : document.components.examples[name]?.value;
    };
    expect(media("429")?.schema).toEqual({ $ref: "#/components/schemas/RateLimitedError" });
    expect(Object.keys(media("429")?.examples ?? {})).toEqual(["RATE_LIMITED"]);
    expect(example("429", "RATE_LIMITED")).toMatchObject({
      data: { retryAfterSeconds: expect.any(Number) },
      error: { code: "RATE_LIMITED" },
    });
    expect(Object.keys(media("500")?.examples ?? {})).toEqual(["INTERNAL"]);
    expect(example("500", "INTERNAL")).toMatchObject({ data: null, error: { code: "INTERNAL" } });
  });
});

describe("query parameters", () => {
  const get = (path: string, init?: RequestInit) => fetch(`${server.url}/api/v1${path}`, init);
  const refusal = async (response: Response) => {
    expect(response.status).toBe(400);
    return z
      .object({
        error: z.object({ code: z.string(), issues: z.array(z.object({ path: z.array(z.unknown()) })) }),
      })
      .parse(await response.json()).error;
  };

  test("an unknown one is a 400 VALIDATION_FAILED naming it, whatever the operation's input", async () => {
    for (const [path, init] of [
      ["/doctors?town=alger", undefined],
      ["/doctors?city=Alger&town=", undefined],
      ["/patients/me?x=1", undefined],
      ["/health?verbose=true", undefined],
      ["/doctors/00000000-0000-4000-8000-000000000000?id=1", undefined],
      [
        "/auth/login?next=%2F",
        { method: "POST", headers: { "content-type": "application/json" }, body: "{}" },
      ],
    ] as const) {
      const error = await refusal(await get(path, init));
      expect(error.code, path).toBe("VALIDATION_FAILED");
      expect(
        error.issues.map((issue) => issue.path),
        path,
      ).toEqual([[path.match(/[?&](\w+)=[^&]*$/)?.[1]]]);
    }
  });

  test("documented ones still work", async () => {
    expect((await get("/doctors?city=Alger&limit=5&sort=rating")).status).toBe(200);
    expect((await get("/doctors/specialties?limit=2")).status).toBe(200);
  });

  test("a forged cursor is a VALIDATION_FAILED with its issue, like any other", async () => {
    const error = await refusal(await get("/doctors?cursor=bm90LWEtY3Vyc29y"));
    expect(error).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ path: ["cursor"] }] });
  });
});
