import type { Actor } from "../auth/actor.ts";
import type { Context } from "../context.ts";
import type { AuditMeta } from "./record.ts";

/** The audit facts of a call: the caller when known, the request id and the origin. */
export function auditMetaOf(ctx: Context & { actor?: Actor }): AuditMeta {
  return { actor: ctx.actor ?? null, requestId: ctx.requestId, origin: ctx.origin };
}
