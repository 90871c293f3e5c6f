import { index, pgTable } from "drizzle-orm/pg-core";
import { ref, timestamptz } from "./columns.ts";
import { sessions, users } from "./users.ts";

/**
 * Single-use tickets that open a plain notification socket from a browser (decision record 0036):
 * only the SHA-256 of the ticket is stored, and using one deletes its row in the same statement, so
 * it opens one socket whichever instance it reaches. It names the session it was issued under, so
 * the socket ends with that session, and when the access token it was issued with expires.
 */
export const realtimeTickets = pgTable(
  "realtime_tickets",
  (t) => ({
    ticketHash: t.varchar({ length: 64 }).primaryKey(),
    userId: ref(() => users.id),
    sessionId: ref(() => sessions.id),
    expiresAt: timestamptz().notNull(),
    accessExpiresAt: timestamptz().notNull(),
  }),
  // Each issue deletes the tickets that expired unused.
  (t) => [index("realtime_tickets_expires").on(t.expiresAt)],
);
