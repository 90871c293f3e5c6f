import { z } from "zod";
import { publicProcedure, router } from "#platform/trpc.ts";
import { healthRoutes, ZHealthDto } from "./health.schema.ts";
import { checkHealth } from "./health.service.ts";

export const healthRouter = router({
  check: publicProcedure
    .meta(healthRoutes.check)
    .input(z.void())
    .output(ZHealthDto)
    .query(({ ctx }) => checkHealth(ctx.deps)),
});
