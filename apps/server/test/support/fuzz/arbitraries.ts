import fc from "fast-check";
import type { Operation, Schema } from "./spec.ts";

/** Strings an attacker sends: unicode of every plane, lone surrogates, NUL, control bytes, huge ones. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("\u0000", "a\u0000b", "\ud800", "\u202e", "%00", "../../etc/passwd", "' OR 1=1 --", "<x>"),
  fc.constantFrom("__proto__", "constructor", "toString", "undefined", "null", "NaN", "-0", "1e309"),
  // Long, but short enough that a URL carrying it stays under Node's 16 KiB header limit.
  fc.integer({ min: 256, max: 1_500 }).map((n) => "é".repeat(n)),
);

/** Numbers at and past every bound a column or a zod schema has. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 2 ** 64, 1e308, -1e308, 0.5, -0),
);

export const badUuid: fc.Arbitrary<string> = fc.oneof(
  fc.uuid().map((u) => u.toUpperCase()),
  fc.uuid().map((u) => `${u}0`),
  fc.uuid().map((u) => u.replaceAll("-", "")),
  fc.uuid().map((u) => `${u.slice(0, 8)}\u0000${u.slice(9)}`),
  fc.constantFrom(
    "not-a-uuid",
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
  ),
  hostileString,
);

/** Nested arrays and objects, shallow to far past the 32-level limit. */
export const deepJson: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 5_000 }), fc.boolean())
  .map(([depth, objects]) =>
    objects ? `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}` : `${"[".repeat(depth)}${"]".repeat(depth)}`,
  );

const base64url = (text: string) => Buffer.from(text).toString("base64url");

/** Forged keyset cursors: base64url JSON with any sort, order, value and id, or not JSON at all. */
export const hostileCursor: fc.Arbitrary<string> = fc.oneof(
  fc
    .record({
      s: fc.oneof(fc.constantFrom("createdAt", "name", "rating", "email", "occurredAt"), hostileString),
      o: fc.oneof(fc.constantFrom("asc", "desc"), fc.jsonValue()),
      v: fc.oneof(fc.jsonValue(), hostileNumber, hostileString),
      id: fc.oneof(fc.uuid(), badUuid, hostileNumber, fc.jsonValue()),
    })
    .map((forged) => base64url(JSON.stringify(forged))),
  fc.jsonValue().map((value) => base64url(JSON.stringify(value))),
  deepJson.map(base64url),
  hostileString.map(base64url),
  hostileString,
);

/** Any JSON value, of any type: the wrong type for most fields. */
const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

function typesOf(schema: Schema): string[] {
  if (schema.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

/** A value for a field of this schema: often nearly right, often hostile, sometimes the wrong type. */
export function valueFor(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => valueFor(s, depth)), anyJson);
  const right: fc.Arbitrary<unknown>[] = typesOf(schema).flatMap((type): fc.Arbitrary<unknown>[] => {
    switch (type) {
      case "string":
        if (schema.enum?.length) return [fc.constantFrom(...schema.enum), hostileString];
        if (schema.format === "uuid") return [fc.uuid(), badUuid];
        if (schema.format === "date-time")
          return [fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), hostileString];
        return [fc.string({ maxLength: 20 }), hostileString];
      case "integer":
      case "number":
        return [fc.integer({ min: schema.minimum ?? -10, max: schema.maximum ?? 1_000 }), hostileNumber];
      case "boolean":
        return [fc.boolean()];
      case "null":
        return [fc.constant(null)];
      case "array":
        return depth > 3 ? [] : [fc.array(valueFor(schema.items ?? {}, depth + 1), { maxLength: 4 })];
      case "object":
        return depth > 3 ? [] : [objectFor(schema, depth)];
      default:
        return [];
    }
  });
  return fc.oneof({ arbitrary: fc.oneof(...right, anyJson), weight: 4 }, { arbitrary: anyJson, weight: 1 });
}

function objectFor(schema: Schema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.fromEntries(
    Object.entries(schema.properties ?? {}).map(([name, field]) => [name, valueFor(field, depth + 1)]),
  );
  return fc
    .tuple(
      fc.record(fields, { requiredKeys: [] }),
      fc.option(fc.dictionary(hostileString, anyJson, { maxKeys: 2 }), { freq: 4 }),
    )
    .map(([known, extra]) => ({ ...extra, ...known }));
}

/** A query parameter as it travels: a string (cursors forged, the rest from their schema). */
function queryValueFor(name: string, schema: Schema): fc.Arbitrary<string> {
  const value = name === "cursor" ? hostileCursor : valueFor(schema);
  return value.map((v) => (typeof v === "string" ? v : (JSON.stringify(v) ?? "")));
}

export const contentTypes = [
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; charset=utf-16",
  "application/xml",
] as const;

/** Percent-encoding that, unlike encodeURIComponent, takes lone surrogates (as U+FFFD, like a browser). */
const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);

/** Node itself answers 431 with no body past 16 KiB of headers: that is not the app's answer. */
const fitsHeaders = (request: { url: string }) => request.url.length < 12_000;

export interface FuzzRequest {
  url: string;
  method: string;
  contentType: string | undefined;
  body: string | undefined;
}

/** One request to an operation: path ids, query and body from its schema, hostile where it counts. */
export function requestFor(operation: Operation): fc.Arbitrary<FuzzRequest> {
  const pathValues = fc.tuple(
    ...operation.pathParams.map(() =>
      fc.oneof(
        fc.uuid(),
        badUuid.filter((id) => id.length > 0),
      ),
    ),
  );
  const query = fc.record(
    Object.fromEntries(operation.queryParams.map((p) => [p.name, queryValueFor(p.name, p.schema)])),
    { requiredKeys: [] },
  );
  const body: fc.Arbitrary<string | undefined> = fc.oneof(
    { arbitrary: valueFor(operation.body ?? { type: "object" }).map((v) => JSON.stringify(v)), weight: 6 },
    { arbitrary: deepJson, weight: 1 },
    // Huge bodies, around and over the 100 KiB limit.
    {
      arbitrary: fc.integer({ min: 50_000, max: 150_000 }).map((n) => JSON.stringify({ a: "ü".repeat(n) })),
      weight: 1,
    },
    {
      arbitrary: fc.constantFrom("", "{", '{"a":}', "nul\u0000", "[]", "null", '"x"', "\ufeff{}"),
      weight: 1,
    },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
  const contentType = fc.oneof(
    { arbitrary: fc.constant("application/json"), weight: 6 },
    { arbitrary: fc.constantFrom(...contentTypes, undefined), weight: 1 },
  );
  const request = fc
    .record({ pathValues, query, body, contentType })
    .map(({ pathValues, query, body, contentType }) => {
      let path = operation.path;
      operation.pathParams.forEach((p, i) => {
        path = path.replace(`{${p.name}}`, encode(pathValues[i] ?? ""));
      });
      const search = new URLSearchParams(
        Object.entries(query).flatMap(([name, value]): [string, string][] =>
          value === undefined ? [] : [[name, value]],
        ),
      ).toString();
      const sendsBody = operation.method !== "GET" && operation.method !== "DELETE";
      return {
        url: `/api/v1${path}${search ? `?${search}` : ""}`,
        method: operation.method,
        contentType: sendsBody ? contentType : undefined,
        body: sendsBody ? body : undefined,
      };
    });
  return request.filter(fitsHeaders);
}

export interface Procedure {
  path: string;
  type: "query" | "mutation";
}

/** tRPC abuse: batches over the limit, malformed ?input=, wrong superjson shapes, bad bodies. */
export function trpcRequestFor(
  procedures: Procedure[],
  maxBatch: number,
): fc.Arbitrary<FuzzRequest & { kind: string }> {
  const procedure = fc.constantFrom(...procedures);
  const superjsonShape = fc.oneof(
    fc.record({
      json: anyJson,
      meta: fc.record({ values: fc.dictionary(hostileString, anyJson, { maxKeys: 3 }) }),
    }),
    fc.record({ json: anyJson, meta: anyJson }),
    fc.record({ json: anyJson }),
    anyJson,
  );
  const input = fc.oneof(
    superjsonShape.map((v) => JSON.stringify(v) ?? ""),
    hostileString,
    deepJson.map((deep) => `{"json":${deep}}`),
  );
  const overLimit = fc
    .tuple(fc.array(procedure, { minLength: maxBatch + 1, maxLength: maxBatch * 4 }), input)
    .map(([calls, raw]) => ({
      kind: "batch over the limit",
      url: `/trpc/${calls.map((c) => c.path).join(",")}?batch=1&input=${encode(raw)}`,
      method: "GET",
      contentType: undefined,
      body: undefined,
    }));
  const malformedInput = fc.tuple(procedure, input, fc.boolean()).map(([call, raw, batch]) => ({
    kind: "malformed ?input=",
    url: `/trpc/${call.path}?${batch ? "batch=1&" : ""}input=${encode(raw)}`,
    method: call.type === "query" ? "GET" : "POST",
    contentType: call.type === "query" ? undefined : "application/json",
    body: call.type === "query" ? undefined : raw,
  }));
  const batchShapes = fc
    .tuple(
      fc.array(procedure, { minLength: 1, maxLength: maxBatch }),
      fc.array(superjsonShape, { maxLength: maxBatch }),
    )
    .map(([calls, inputs]) => {
      const mutation = calls.some((c) => c.type === "mutation");
      const raw = JSON.stringify(Object.fromEntries(inputs.map((v, i) => [String(i), v])));
      return {
        kind: "wrong superjson shapes in a batch",
        url: `/trpc/${calls.map((c) => c.path).join(",")}?batch=1${mutation ? "" : `&input=${encode(raw)}`}`,
        method: mutation ? "POST" : "GET",
        contentType: mutation ? "application/json" : undefined,
        body: mutation ? raw : undefined,
      };
    });
  return fc.oneof(overLimit, malformedInput, batchShapes).filter(fitsHeaders);
}
