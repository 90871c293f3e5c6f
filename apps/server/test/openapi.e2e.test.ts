import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { z } from "zod";
import { startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;

/** The parts of the document these tests read, validated rather than assumed. */
const ZDocument = z.object({
  openapi: z.string(),
  paths: z.record(
    z.string(),
    z.record(
      z.string(),
      z.object({
        operationId: z.string(),
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
            content: z.record(z.string(), z.object({ schema: z.record(z.string(), z.unknown()) })).optional(),
          }),
        ),
      }),
    ),
  ),
  components: z.object({
    schemas: z.record(z.string(), z.unknown()),
    securitySchemes: z.record(z.string(), z.unknown()),
  }),
});
let document: z.infer<typeof ZDocument>;

beforeAll(async () => {
  server = await startTestServer();
  document = ZDocument.parse(await (await fetch(`${server.url}/openapi.json`)).json());
});
afterAll(() => server.close());

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
      properties: { success: { const: true }, data: { properties: { database: { const: "up" } } } },
    });
    expect(Object.keys(health?.responses ?? {})).toEqual(
      expect.arrayContaining(["200", "400", "500", "503"]),
    );
    expect(health?.responses["503"]?.content?.["application/json"]?.schema).toEqual({
      $ref: "#/components/schemas/ErrorEnvelope",
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
      expect(await response.json()).toHaveProperty("success");
    }
  });
});
