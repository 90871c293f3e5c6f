import { describe, expect, test } from "vitest";
import { z } from "zod";
import { appRouter } from "./root.ts";

/**
 * Walks every procedure's input schemas: no text field may accept U+0000 (PostgreSQL's text
 * refuses it with an error: a 500 instead of a 400), and every number is bounded within what an
 * int4 column holds.
 */
const INT32_MAX = 2_147_483_647;
/** Numbers compared with a bigint column (a count of audit events): bounded within a double's exact integers. */
const bigintBound = new Set(["audit.verify.eventCount"]);

/**
 * Text no query ever binds: a refresh token is parsed and hashed, and identity answers 401 to any
 * unusable one, whatever it holds.
 */
const parsedNeverStored = new Set(["auth.refresh.refreshToken", "auth.logout.refreshToken"]);

interface Fields {
  texts: { path: string; schema: z.ZodType }[];
  numbers: { path: string; schema: z.ZodNumber }[];
}

function isTextField(schema: z.core.$ZodType): boolean {
  if (schema instanceof z.ZodString) return true;
  return schema instanceof z.ZodPipe && isTextField(schema.in);
}

/** The text fields (a string, or a pipe that starts from one) and number fields of an input. */
function collect(schema: unknown, path: string, fields: Fields): void {
  if (!(schema instanceof z.ZodType)) return;
  if (isTextField(schema)) fields.texts.push({ path, schema });
  else if (schema instanceof z.ZodNumber) fields.numbers.push({ path, schema });
  else if (schema instanceof z.ZodObject)
    for (const [key, field] of Object.entries(schema.shape)) collect(field, `${path}.${key}`, fields);
  else if (schema instanceof z.ZodArray) collect(schema.element, `${path}[]`, fields);
  else if (schema instanceof z.ZodUnion) for (const option of schema.options) collect(option, path, fields);
  else if (schema instanceof z.ZodPipe) collect(schema.in, path, fields);
  else if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable ||
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodReadonly
  )
    collect(schema.unwrap(), path, fields);
}

function inputFields(): Fields {
  const fields: Fields = { texts: [], numbers: [] };
  for (const [name, procedure] of Object.entries(appRouter._def.procedures)) {
    const inputs: unknown = Reflect.get(Reflect.get(procedure, "_def") ?? {}, "inputs");
    if (Array.isArray(inputs)) for (const input of inputs) collect(input, name, fields);
  }
  return fields;
}

/** Strings with a NUL of each length a field's bounds could allow, so no min or max lets one by. */
const withNul = [1, 2, 3, 5, 8, 16, 17, 40, 64, 100, 200, 256].map(
  (length) => `${"a".repeat(Math.floor((length - 1) / 2))}\u0000${"a".repeat(Math.ceil((length - 1) / 2))}`,
);

describe("every input of the router", () => {
  const { texts, numbers } = inputFields();

  test("the walk finds the text and number fields", () => {
    expect(texts.map((field) => field.path)).toEqual(
      expect.arrayContaining([
        "doctors.search.city",
        "auth.login.password",
        "patients.updateMe.clinical.allergies[]",
      ]),
    );
    expect(numbers.map((field) => field.path)).toContain("doctors.updateMyProfile.yearsOfExperience");
  });

  test("no text field accepts U+0000", async () => {
    const accepting: string[] = [];
    for (const { path, schema } of texts.filter((field) => !parsedNeverStored.has(field.path))) {
      for (const probe of withNul) {
        if ((await schema.safeParseAsync(probe)).success) accepting.push(`${path} ${JSON.stringify(probe)}`);
      }
    }
    expect(accepting).toEqual([]);
  });

  test("every number is bounded within its column's range: int4, or bigint where named", () => {
    const max = (path: string) => (bigintBound.has(path) ? Number.MAX_SAFE_INTEGER : INT32_MAX);
    const unbounded = numbers
      .filter(({ path, schema }) => !(schema.minValue !== null && schema.minValue >= -max(path)))
      .concat(
        numbers.filter(({ path, schema }) => !(schema.maxValue !== null && schema.maxValue <= max(path))),
      )
      .map((field) => field.path);
    expect(unbounded).toEqual([]);
    expect(numbers.map((field) => field.path)).toEqual(expect.arrayContaining([...bigintBound]));
  });
});
