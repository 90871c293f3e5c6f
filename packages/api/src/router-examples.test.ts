import { describe, expect, test } from "vitest";
import { z } from "zod";
import { appRouter } from "./root.ts";

/**
 * The OpenAPI examples (ADR 0014) come from the schemas' `.meta()`: each must pass its own schema,
 * refinements included (a phone that exists, a canonical locale, a change that changes something),
 * which the document's JSON Schema cannot express.
 */
const documented = Object.entries(appRouter._def.procedures).flatMap(([name, procedure]) => {
  const def: unknown = Reflect.get(procedure, "_def");
  const inputs: unknown = Reflect.get(Object(def), "inputs");
  const schemas: unknown[] = [...(Array.isArray(inputs) ? inputs : []), Reflect.get(Object(def), "output")];
  return schemas.flatMap((schema) => {
    if (!(schema instanceof z.ZodType)) return [];
    const examples = schema.meta()?.examples;
    return (Array.isArray(examples) ? examples : []).map((example: unknown) => ({ name, schema, example }));
  });
});

describe("the examples of the router's schemas", () => {
  test("every example passes the schema it documents", async () => {
    const failures: string[] = [];
    for (const { name, schema, example } of documented) {
      const result = await schema.safeParseAsync(example);
      if (!result.success) failures.push(`${name}: ${z.prettifyError(result.error)}`);
    }
    expect(failures).toEqual([]);
    expect(documented.length).toBeGreaterThan(40);
  });
});
