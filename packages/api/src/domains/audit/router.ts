import { pageOf } from "#platform/list.ts";
import { adminProcedure, router } from "#platform/trpc.ts";
import { auditRoutes, ZAuditEventDto, ZListAuditInput } from "./audit.schema.ts";
import { listAuditEvents } from "./audit.service.ts";

export const auditRouter = router({
  list: adminProcedure
    .meta(auditRoutes.list)
    .input(ZListAuditInput)
    .output(pageOf(ZAuditEventDto, "AuditPage"))
    .query(({ ctx, input }) => listAuditEvents(ctx.deps, ctx.actor, input)),
});
