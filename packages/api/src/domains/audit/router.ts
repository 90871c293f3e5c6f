import { pageOf } from "#platform/list.ts";
import { adminProcedure, router } from "#platform/trpc.ts";
import { listMeta, ZAuditEventDto, ZListAuditInput } from "./audit.schema.ts";
import { listAuditEvents } from "./audit.service.ts";

export const auditRouter = router({
  list: adminProcedure
    .meta(listMeta)
    .input(ZListAuditInput)
    .output(pageOf(ZAuditEventDto))
    .query(({ ctx, input }) => listAuditEvents(ctx.deps, ctx.actor, input)),
});
