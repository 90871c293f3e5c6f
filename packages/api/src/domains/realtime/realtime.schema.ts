import { z } from "zod";
import { routeMeta } from "#platform/meta.ts";
import { named } from "#platform/named.ts";

/** How long a ticket opens a socket: long enough to open one, short enough to be worthless in a log. */
export const TICKET_TTL_SECONDS = 30;

export const realtimeRoutes = {
  ticket: routeMeta(["notifications"])(
    "POST",
    "/realtime/ticket",
    "A single-use ticket that opens the plain notification socket",
    {
      description: `For browsers, which cannot set an Authorization header on a WebSocket: open \`/api/v1/notifications/ws?ticket=<ticket>\` within ${TICKET_TTL_SECONDS} seconds. The ticket opens one socket, on any instance; the socket belongs to the caller's session and closes with 4401 when it ends or the access token used here expires. The socket's protocol is in the README.`,
      successMessage: "Ticket issued",
    },
  ),
};

export const ZTicketDto = named(
  z.object({
    ticket: z.string().meta({ description: "Opaque, single-use; present it as `?ticket=`" }),
    expiresIn: z
      .number()
      .int()
      .min(1)
      .max(TICKET_TTL_SECONDS)
      .meta({ description: "Seconds left to open the socket with it" }),
  }),
  "RealtimeTicket",
  {
    description: "A ticket for one plain notification socket",
    example: { ticket: "q1Xr7Qm3b4yJ0cW9ZkPz2sV8nLh5tG6fDa1eRoUiMYw", expiresIn: TICKET_TTL_SECONDS },
  },
);
export type TicketDto = z.infer<typeof ZTicketDto>;
