import { z } from "zod";
import { publicProcedure, router } from "#platform/trpc.ts";
import { healthRoutes, ZHealthDto, ZLivenessDto } from "./health.schema.ts";
import { checkHealth, checkLiveness } from "./health.service.ts";

export const healthRouter = router({
  check: publicProcedure
    .meta(healthRoutes.check)
    .input(z.void())
    .output(ZHealthDto)
    .query(({ ctx }) => checkHealth(ctx.deps)),
  live: publicProcedure
    .meta(healthRoutes.live)
    .input(z.void())
    .output(ZLivenessDto)
    .query(({ ctx }) => checkLiveness(ctx.deps)),
});
