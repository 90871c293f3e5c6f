import { z } from "zod";
import { routeMeta } from "#platform/meta.ts";
import { named } from "#platform/named.ts";

const route = routeMeta(["calendar"]);

/** The REST route of each procedure; `GET /calendar/{token}.ics` is the server's own (no session). */
export const calendarRoutes = {
  createFeed: route(
    "POST",
    "/calendar/feed",
    "A new secret address of the caller's calendar feed (PATIENT, DOCTOR); the previous one stops working",
    { successStatus: 201, successMessage: "Calendar feed address created" },
  ),
  revokeFeed: route("DELETE", "/calendar/feed", "Revoke the caller's calendar feed address", {
    successMessage: "Calendar feed address revoked",
  }),
};

export const ZCalendarFeedDto = named(
  z.object({
    url: z.url().meta({
      description: "The feed's secret address: whoever has it reads the feed, until rotated or revoked",
    }),
  }),
  "CalendarFeed",
  {
    description: "The caller's iCalendar feed address, shown once: only a hash of its token is kept",
    example: {
      url: "https://api.clinic.example.dz/api/v1/calendar/Jx3v9Qm2T0pWc8yR5bN1fK7hL4sD6gA0eZ2uV9iO3tM.ics",
    },
  },
);
