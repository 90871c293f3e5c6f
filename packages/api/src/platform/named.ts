import type { z } from "zod";

/**
 * Names a schema in the OpenAPI document (ADR 0014): `id` becomes `components.schemas[id]`, which
 * generated clients turn into a type of that name. The example is typed as what the schema both
 * accepts and answers, so it cannot drift from the schema without failing to compile; the REST
 * document shows it on every operation that takes or answers the schema.
 */
export function named<T extends z.ZodType>(
  schema: T,
  id: string,
  { description, example }: { description: string; example: z.input<T> & z.output<T> },
): T {
  return schema.meta({ id, description, examples: [example] });
}
