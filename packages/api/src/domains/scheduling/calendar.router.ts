import { z } from "zod";
import { authedProcedure, roleProcedure, router } from "#platform/trpc.ts";
import { calendarRoutes, ZCalendarFeedDto } from "./calendar.schema.ts";
import { createFeed, revokeFeed } from "./calendar.service.ts";

/** The caller's iCalendar feed address; the feed itself is `GET /api/v1/calendar/{token}.ics`. */
export const calendarRouter = router({
  // STAFF and ADMIN have no appointments of their own, and a clinic-wide feed behind a bearer-less
  // address would publish every patient's schedule: refused (ADR 0022).
  createFeed: roleProcedure("PATIENT", "DOCTOR")
    .meta(calendarRoutes.createFeed)
    .input(z.void())
    .output(ZCalendarFeedDto)
    .mutation(({ ctx }) => createFeed(ctx.deps, ctx.audit, ctx.actor)),
  // Any signed-in role: a former doctor or patient can still revoke an address they handed out.
  revokeFeed: authedProcedure
    .meta(calendarRoutes.revokeFeed)
    .input(z.void())
    .output(z.null())
    .mutation(async ({ ctx }) => {
      await revokeFeed(ctx.deps, ctx.audit, ctx.actor);
      return null;
    }),
});
