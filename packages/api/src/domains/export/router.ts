import { z } from "zod";
import { authedProcedure, router } from "#platform/trpc.ts";
import { exportRoutes, ZExportPatientInput, ZPatientExport } from "./export.schema.ts";
import { exportFileName, exportOwnFile, exportPatientFile } from "./export.service.ts";

/**
 * `patients.exportMe` and `patients.export`: merged into the patients namespace, ahead of
 * `/patients/{id}` (root.ts), `/patients/me/export` ahead of `/patients/{id}/export`. The roles are
 * checked by the service, which audits a refusal with the patient asked for.
 */
export const exportRouter = router({
  exportMe: authedProcedure
    .meta(exportRoutes.exportMe)
    .input(z.void())
    .output(ZPatientExport)
    .query(async ({ ctx }) => {
      const document = await exportOwnFile(ctx.deps, ctx.audit, ctx.actor);
      ctx.route.attachment = exportFileName(document);
      return document;
    }),
  export: authedProcedure
    .meta(exportRoutes.exportPatient)
    .input(ZExportPatientInput)
    .output(ZPatientExport)
    .query(async ({ ctx, input }) => {
      const document = await exportPatientFile(ctx.deps, ctx.audit, ctx.actor, input.id);
      ctx.route.attachment = exportFileName(document);
      return document;
    }),
});
