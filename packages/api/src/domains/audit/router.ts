import { pageOf } from "#platform/list.ts";
import { adminProcedure, patientProcedure, router } from "#platform/trpc.ts";
import { accessLogRoutes, ZAccessLogInput, ZAccessLogPage } from "./access-log.schema.ts";
import { listAccessLog } from "./access-log.service.ts";
import {
  auditRoutes,
  loggedAnchorOf,
  ZAuditEventDto,
  ZAuditVerification,
  ZListAuditInput,
  ZVerifyAuditInput,
} from "./audit.schema.ts";
import { listAuditEvents } from "./audit.service.ts";
import { verifyAuditChain } from "./verify.service.ts";

export const auditRouter = router({
  list: adminProcedure
    .meta(auditRoutes.list)
    .input(ZListAuditInput)
    .output(pageOf(ZAuditEventDto, "AuditPage"))
    .query(({ ctx, input }) => listAuditEvents(ctx.deps, ctx.actor, input)),
  verify: adminProcedure
    .meta(auditRoutes.verify)
    .input(ZVerifyAuditInput)
    .output(ZAuditVerification)
    .query(({ ctx, input }) => verifyAuditChain(ctx.deps, ctx.audit, { logged: loggedAnchorOf(input) })),
});

/** `patients.accessLog`: merged into the patients namespace, ahead of `/patients/{id}` (root.ts). */
export const accessLogRouter = router({
  accessLog: patientProcedure
    .meta(accessLogRoutes.accessLog)
    .input(ZAccessLogInput)
    .output(ZAccessLogPage)
    .query(({ ctx, input }) => listAccessLog(ctx.deps, ctx.audit, ctx.actor, input)),
});
