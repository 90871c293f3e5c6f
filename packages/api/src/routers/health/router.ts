import { z } from "zod";
import { checkHealth } from "../../services/health.ts";
import { publicProcedure, router } from "../../trpc.ts";
import { healthMeta, ZHealthDto } from "./health.schema.ts";

export const healthRouter = router({
  check: publicProcedure
    .meta(healthMeta)
    .input(z.void())
    .output(ZHealthDto)
    .query(({ ctx }) => checkHealth(ctx.deps)),
});
