import type { Meta } from "@medical/api";

/**
 * The REST name of a procedure, as the OpenAPI document gives it: its meta's operationId, or its
 * dotted path with dashes ("health.check" → "health-check"). Clients see it as `X-Operation-Id`.
 */
export function operationIdOf(path: string, meta: Meta | undefined): string {
  return meta?.openapi?.operationId ?? path.replace(/\./g, "-");
}
