import type { AppRouter, Meta } from "@medical/api";
import {
  forEachOpenApiProcedure,
  getInputOutputParsers,
  normalizePath,
  unwrapZodType,
} from "trpc-to-openapi";
import { z } from "zod";
import { METHOD_KEYS, type OpenApiDocument, type Operation } from "./openapi-types.ts";

/** Every tag an operation carries, in the order the docs list them. */
const TAGS: Record<string, string> = {
  platform: "Service health.",
  auth: "Accounts and sessions: register, sign in, refresh, sign out, password reset, email verification.",
  users: "The caller's account, and accounts for ADMIN.",
  doctors:
    "The public doctor search and profiles, specialties, reviews and their moderation, a patient's favourites.",
  availability:
    "A doctor's weekly hours and dated exceptions (time off, extra hours), in the doctor's time zone: everyone reads them and the bookable slots they make, the doctor (or ADMIN) changes them.",
  patients: "Patient profiles: the patient's own, and those staff, admins and treating doctors manage.",
  appointments:
    "Appointments: booking (idempotent with an Idempotency-Key), one appointment with its history, rescheduling, status changes (completed, missed, cancelled) and each party's view (the patient's, the doctor's, the front desk's); the database refuses double bookings.",
  calendar:
    "A patient's or doctor's appointments as an iCalendar feed behind a secret, revocable address that calendar apps subscribe to.",
  "medical-records":
    "A patient's medical file: clinical records doctors write for the patients they treat, history notes the patient writes, every version kept, soft deletes with a reason; every read and write audited, clinical text encrypted at rest.",
  billing:
    "Billing entries, insurance policies and claims: the front desk (STAFF, ADMIN) bills and claims, patients read theirs and register their policies, treating doctors read their patients'; a claim never exceeds what its policy covers, races included.",
  notifications:
    "The caller's notifications (appointments, records, billing, account security, announcements), in their language and on their clock, with no clinical detail: the inbox, read marks, per-type preferences for the app and mail; ADMIN sends announcements.",
  admin: "Operator tools for ADMIN: the security audit trail.",
};

/** What a path's `{id}` names, by the segment before it. */
const PATH_ID_NOUNS: Record<string, string> = {
  doctors: "doctor",
  specialties: "specialty",
  reviews: "review",
  users: "account",
  patients: "patient profile",
  appointments: "appointment",
  "medical-records": "medical record",
  billing: "billing entry",
  policies: "insurance policy",
  claims: "insurance claim",
  notifications: "notification",
};

/** A value as JSON carries it: instants become ISO-8601 strings, as they do on the wire. */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** The first example a schema's `.meta()` declares (ADR 0014), or the null a `z.null()` answers. */
function exampleOf(schema: z.ZodType | undefined): { value: unknown } | undefined {
  if (schema instanceof z.ZodNull) return { value: null };
  const examples = schema?.meta()?.examples;
  return Array.isArray(examples) && examples.length ? { value: asJson(examples[0]) } : undefined;
}

function withoutKeys(value: unknown, keys: string[]): unknown {
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !keys.includes(key)));
}

/**
 * A parameter's description: the one its zod schema declares (moved up from the schema, where
 * Swagger UI and generators do not show it), or for a path id, what it identifies.
 */
function describeParameters(operation: Operation, path: string): void {
  for (const parameter of operation.parameters ?? []) {
    if ("$ref" in parameter || parameter.description) continue;
    const schema = parameter.schema;
    if (schema && !("$ref" in schema) && schema.description) {
      parameter.description = schema.description;
      delete schema.description;
    } else if (parameter.in === "path" && parameter.name === "id") {
      const segment = path.split("/").at(path.split("/").indexOf("{id}") - 1) ?? "";
      const noun = PATH_ID_NOUNS[segment];
      if (noun) parameter.description = `The ${noun}'s id`;
    }
  }
}

/**
 * A named input's body becomes `components.schemas[id]` (trpc-to-openapi rebuilds the body
 * without its path parameters and drops the id), with its example, less the path parameters,
 * which give the parameters their examples instead.
 */
function nameRequestBody(document: OpenApiDocument, operation: Operation, input: z.ZodType): void {
  const body = operation.requestBody;
  const media = body && !("$ref" in body) ? body.content["application/json"] : undefined;
  const id = input.meta()?.id;
  if (!media?.schema || "$ref" in media.schema) return;
  const pathParameters = (operation.parameters ?? []).flatMap((parameter) =>
    !("$ref" in parameter) && parameter.in === "path" ? [parameter] : [],
  );
  const example = exampleOf(input);
  if (example) {
    for (const parameter of pathParameters)
      if (typeof example.value === "object" && example.value !== null && parameter.name in example.value)
        parameter.example = Reflect.get(example.value, parameter.name);
    media.example = withoutKeys(
      example.value,
      pathParameters.map((parameter) => parameter.name),
    );
  }
  if (typeof id !== "string") return;
  const { examples: _examples, ...schema } = media.schema;
  // A resource procedure's merged input has lost the declared one's description.
  const description = input.meta()?.description;
  document.components ??= {};
  document.components.schemas = {
    ...document.components.schemas,
    [id]: {
      ...schema,
      ...(typeof description === "string" ? { description } : {}),
      // Every body is strict (an unknown key answers 400): the generator's rebuild of a refined one is not.
      ...(input instanceof z.ZodObject && input.def.catchall instanceof z.ZodNever
        ? { additionalProperties: false }
        : {}),
      ...(media.example === undefined ? {} : { examples: [media.example] }),
    },
  };
  media.schema = { $ref: `#/components/schemas/${id}` };
}

/**
 * The input a procedure declares itself: a resource procedure's own input comes after its base's
 * (`{ id }`), and trpc-to-openapi merges them into an object without the declared one's meta.
 */
function declaredInput(procedure: unknown): z.ZodType | undefined {
  const inputs: unknown = Reflect.get(Reflect.get(Object(procedure), "_def") ?? {}, "inputs");
  const last: unknown = Array.isArray(inputs) ? inputs.at(-1) : undefined;
  return last instanceof z.ZodType ? unwrapZodType(last, true) : undefined;
}

/** The success answer's example: the envelope around the output's own example. */
function exampleResponse(operation: Operation, output: z.ZodType | undefined, meta: Meta): void {
  const example = exampleOf(output);
  if (!example) return;
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    if (!/^2\d\d$/.test(status) || "$ref" in response) continue;
    const media = response.content?.["application/json"];
    if (media) media.example = { success: true, data: example.value, message: meta.successMessage ?? null };
  }
}

/**
 * What the generator cannot know (ADR 0014): tag descriptions, parameter descriptions, named
 * request bodies, and an example on every operation, all from the zod schemas' `.meta()`.
 */
export function annotateOpenApiDocument(document: OpenApiDocument, router: AppRouter): OpenApiDocument {
  forEachOpenApiProcedure<Meta>(router._def.procedures, ({ meta, procedure }) => {
    const path = normalizePath(meta.openapi.path);
    const operation = document.paths?.[path]?.[METHOD_KEYS[meta.openapi.method]];
    if (!operation) return;
    describeParameters(operation, path);
    const input = declaredInput(procedure);
    if (input) nameRequestBody(document, operation, input);
    exampleResponse(operation, getInputOutputParsers(procedure).outputParser, meta);
  });
  const used = new Set(
    Object.values(document.paths ?? {}).flatMap((item) =>
      Object.values(METHOD_KEYS).flatMap((method) => item[method]?.tags ?? []),
    ),
  );
  document.tags = [
    ...Object.entries(TAGS)
      .filter(([name]) => used.has(name))
      .map(([name, description]) => ({ name, description })),
    ...[...used].filter((name) => !(name in TAGS)).map((name) => ({ name })),
  ];
  return document;
}
