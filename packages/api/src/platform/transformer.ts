import { type CombinedDataTransformer, TRPCError } from "@trpc/server";
import superjson, { type SuperJSONResult } from "superjson";
import { DomainError } from "./errors/errors.ts";
import { nestsDeeperThan, tooDeep } from "./json-depth.ts";

function refused(cause: DomainError): TRPCError {
  return new TRPCError({ code: "BAD_REQUEST", message: cause.message, cause });
}

/** `{ json, meta? }`; `{}` is how a call without input arrives (its `json` was undefined). */
function isEnvelope(value: unknown): value is SuperJSONResult {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return !("meta" in value) || (typeof value.meta === "object" && value.meta !== null);
}

/**
 * superjson, with its input checked first: its depth is bounded before anything walks it, and a
 * value that is not a superjson envelope (or whose annotations do not fit it) is a 400 in our
 * words, not an engine message ("Cannot destructure property 'json' …").
 */
function deserializeInput(value: unknown): unknown {
  if (nestsDeeperThan(value)) throw refused(tooDeep());
  const notEnvelope = () =>
    refused(new DomainError("VALIDATION_FAILED", "Invalid input: not a superjson-encoded value"));
  if (!isEnvelope(value)) throw notEnvelope();
  try {
    return superjson.deserialize(value);
  } catch {
    throw notEnvelope();
  }
}

export const transformer: CombinedDataTransformer = {
  input: { serialize: (value) => superjson.serialize(value), deserialize: deserializeInput },
  output: {
    serialize: (value) => superjson.serialize(value),
    deserialize: (value) => superjson.deserialize(value),
  },
};
