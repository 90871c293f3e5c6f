import { realtimeTickets } from "@medical/db/schema";
import { and, eq, gt, lte } from "drizzle-orm";
import type { Actor } from "#platform/auth/actor.ts";
import { sessionActor } from "#platform/auth/authenticate.ts";
import { hashToken, randomToken } from "#platform/auth/secrets.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { TICKET_TTL_SECONDS, type TicketDto } from "./realtime.schema.ts";

/**
 * A ticket for the caller's session, bound to the access token it was asked with: the socket it
 * opens ends when that token would have. Tickets that expired unused are deleted on the way.
 */
export async function issueTicket(deps: Pick<Deps, "db" | "clock">, actor: Actor): Promise<TicketDto> {
  const ticket = randomToken();
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await tx.delete(realtimeTickets).where(lte(realtimeTickets.expiresAt, now));
    await tx.insert(realtimeTickets).values({
      ticketHash: hashToken(ticket),
      userId: actor.userId,
      sessionId: actor.sessionId,
      expiresAt: new Date(now.getTime() + TICKET_TTL_SECONDS * 1000),
      accessExpiresAt: actor.accessExpiresAt,
    });
  });
  return { ticket, expiresIn: TICKET_TTL_SECONDS };
}

/**
 * Uses a ticket: one DELETE … RETURNING, so of two uses (on any instances) one gets the row and
 * the other nothing. Then its session must still be live. UNAUTHENTICATED for an unknown, used
 * or expired ticket, an expired access token behind it, and an ended session.
 */
export async function redeemTicket(deps: Pick<Deps, "db" | "clock">, ticket: string): Promise<Actor> {
  const now = deps.clock.now();
  const [row] = await deps.db
    .delete(realtimeTickets)
    .where(
      and(
        eq(realtimeTickets.ticketHash, hashToken(ticket)),
        gt(realtimeTickets.expiresAt, now),
        gt(realtimeTickets.accessExpiresAt, now),
      ),
    )
    .returning({
      userId: realtimeTickets.userId,
      sessionId: realtimeTickets.sessionId,
      accessExpiresAt: realtimeTickets.accessExpiresAt,
    });
  if (!row) throw new DomainError("UNAUTHENTICATED", "Unknown, used or expired ticket");
  return sessionActor(deps, row);
}
