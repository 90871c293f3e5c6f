import { type AppRouter, describeIssues } from "@medical/api";
import type { RequestHandler } from "express";
import {
  acceptsRequestBody,
  forEachOpenApiProcedure,
  getInputOutputParsers,
  getPathParameters,
  getPathRegExp,
  normalizePath,
  unwrapZodType,
} from "trpc-to-openapi";
import { z } from "zod";
import { sendError } from "./envelope.ts";

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

interface QueryRoute {
  pattern: RegExp;
  keys: ReadonlySet<string>;
}

/**
 * The query keys each REST operation takes, by method, in the adapter's order: the input's keys on
 * GET and DELETE (a path parameter's excepted), none on an input-less operation or a body method.
 */
function queryRoutes(router: AppRouter): Map<string, QueryRoute[]> {
  const routes = new Map<string, QueryRoute[]>();
  forEachOpenApiProcedure(router._def.procedures, ({ meta: { openapi }, procedure }) => {
    const path = normalizePath(openapi.path);
    const input = unwrapZodType(getInputOutputParsers(procedure).inputParser, true);
    const inPath = new Set(getPathParameters(path));
    const keys =
      !acceptsRequestBody(openapi.method) && input instanceof z.ZodObject
        ? Object.keys(input.shape).filter((key) => !inPath.has(key))
        : [];
    routes.set(openapi.method, [
      ...(routes.get(openapi.method) ?? []),
      { pattern: getPathRegExp(path), keys: new Set(keys) },
    ]);
  });
  return routes;
}

/**
 * API-CONTRACT §1: an unknown query parameter is a 400 naming it, like an unknown body key, on every
 * operation — one whose input is void or a body included, which the adapter would silently ignore.
 * It matches the request as the REST adapter does (same patterns, same order); an unmatched request
 * goes on to the adapter's 404.
 */
export function strictQuery(router: AppRouter): RequestHandler {
  const routes = queryRoutes(router);
  return (req, res, next) => {
    const path = normalizePath(req.path);
    const route = routes.get(req.method)?.find(({ pattern }) => pattern.test(path));
    const unknown = route ? Object.keys(req.query).filter((key) => !route.keys.has(key)) : [];
    const [first, ...more] = unknown.map((key) => ({ path: [key], message: "Unknown query parameter" }));
    if (!first) return next();
    const issues = [first, ...more];
    sendError(res, 400, { appCode: "VALIDATION_FAILED", message: describeIssues(issues), issues });
  };
}
