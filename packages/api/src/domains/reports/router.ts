import { adminProcedure, router } from "#platform/trpc.ts";
import { reportRoutes, ZReportInput, ZReportSummary } from "./reports.schema.ts";
import { reportSummary } from "./reports.service.ts";

/** Figures for the clinic's administrators: aggregates only, no patient's data. */
export const reportsRouter = router({
  summary: adminProcedure
    .meta(reportRoutes.summary)
    .input(ZReportInput)
    .output(ZReportSummary)
    .query(({ ctx, input }) => reportSummary(ctx.deps, ctx.audit, input)),
});
