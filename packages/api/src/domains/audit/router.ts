import { z } from "zod";
import type { Meta } from "#platform/meta.ts";
import { pageOf, ZOrder, ZPageInput } from "#platform/pagination.ts";
import { adminProcedure, router } from "#platform/trpc.ts";
import { listAuditEvents } from "./audit.service.ts";

const auditMeta = {
  openapi: {
    method: "GET",
    path: "/admin/audit",
    tags: ["admin"],
    summary: "The security audit trail (admin)",
    description:
      "Filters by actor, action, target and time range (`from` inclusive, `to` exclusive); newest first.",
  },
} satisfies Meta;

const ZAuditEventDto = z.object({
  id: z.number().int(),
  occurredAt: z.date(),
  actorId: z.uuid().nullable(),
  actorRole: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.uuid().nullable(),
  outcome: z.enum(["SUCCESS", "FAILURE", "DENIED"]),
  requestId: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).nullable(),
});

const ZAuditInput = ZPageInput.extend({
  actorId: z.uuid().optional(),
  action: z.string().min(1).max(60).optional(),
  targetId: z.uuid().optional(),
  from: z.iso
    .datetime({ offset: true })
    .transform((value) => new Date(value))
    .optional(),
  to: z.iso
    .datetime({ offset: true })
    .transform((value) => new Date(value))
    .optional(),
  order: ZOrder.default("desc"),
});

export const adminRouter = router({
  audit: adminProcedure
    .meta(auditMeta)
    .input(ZAuditInput)
    .output(pageOf(ZAuditEventDto))
    .query(({ ctx, input }) => listAuditEvents(ctx.deps, input)),
});
