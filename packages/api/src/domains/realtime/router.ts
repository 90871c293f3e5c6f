import { z } from "zod";
import { authedProcedure, router } from "#platform/trpc.ts";
import { realtimeRoutes, ZTicketDto } from "./realtime.schema.ts";
import { issueTicket } from "./tickets.service.ts";

export const realtimeRouter = router({
  ticket: authedProcedure
    .meta(realtimeRoutes.ticket)
    .input(z.void())
    .output(ZTicketDto)
    .mutation(({ ctx }) => issueTicket(ctx.deps, ctx.actor)),
});
