import type { AnyRouter } from "@trpc/server";
import type { Meta } from "./meta.ts";

function isMeta(value: unknown): value is Meta {
  return typeof value === "object" && value !== null;
}

function metaOf(procedure: unknown): unknown {
  if (typeof procedure !== "function" || !("_def" in procedure)) return undefined;
  const def: unknown = procedure._def;
  return typeof def === "object" && def !== null && "meta" in def ? def.meta : undefined;
}

/**
 * Meta of every procedure by its dotted path ("health.check"). The REST mirror and the OpenAPI
 * post-processor read `successMessage` and `successStatus` from it.
 */
export function procedureMetas(router: AnyRouter): Map<string, Meta> {
  const metas = new Map<string, Meta>();
  for (const [path, procedure] of Object.entries(router._def.procedures)) {
    const meta = metaOf(procedure);
    if (isMeta(meta)) metas.set(path, meta);
  }
  return metas;
}
