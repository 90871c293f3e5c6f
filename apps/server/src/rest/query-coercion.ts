import { z } from "zod";

const DECIMAL = /^-?\d+(\.\d+)?$/;
const INSTANT = z.iso.datetime({ offset: true });

export type QueryScalar = "number" | "boolean" | "date";

/** What a query key's schema, under optional, default and nullable, asks the text to become. */
export function queryScalarOf(schema: z.core.$ZodType): QueryScalar | undefined {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault)
    return queryScalarOf(schema.unwrap());
  if (schema instanceof z.ZodNumber) return "number";
  if (schema instanceof z.ZodBoolean) return "boolean";
  if (schema instanceof z.ZodDate) return "date";
  return undefined;
}

/** The typed value for a query text, or the text itself when it is not a well-formed one. */
function convert(scalar: QueryScalar, text: string): unknown {
  switch (scalar) {
    case "number":
      return DECIMAL.test(text) ? Number(text) : text;
    case "boolean":
      return text === "true" ? true : text === "false" ? false : text;
    case "date":
      return INSTANT.safeParse(text).success ? new Date(text) : text;
  }
}

/**
 * trpc-to-openapi's `coerceQuery` hook (API-CONTRACT §1): query strings are text on the wire, so
 * the keys whose schema is a number, a boolean or a date become one. Text that is not a plain
 * decimal, `true`/`false` or an ISO-8601 instant stays text, for the schema to reject with a 400.
 */
export function coerceQuery(schema: z.ZodObject, input: Record<string, unknown>): Record<string, unknown> {
  const coerced = { ...input };
  for (const [key, value] of Object.entries(input)) {
    const field: z.core.$ZodType | undefined = schema.shape[key];
    const scalar = field && queryScalarOf(field);
    if (scalar && typeof value === "string") coerced[key] = convert(scalar, value);
  }
  return coerced;
}
