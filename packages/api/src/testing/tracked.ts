import { z } from "zod";

/**
 * A server-side caller hands a subscription's `tracked()` envelopes through as they are, an
 * `[id, data]` tuple (a client link unwraps them to `{ id, data }`, which is what the types say).
 */
const ZTracked = z.tuple([z.string(), z.object({ id: z.string() })]).rest(z.unknown());

/** A tracked event's id and its data's id, as a server-side caller yields them. */
export function trackedIds(value: unknown): { eventId: string; id: string } {
  const [eventId, { id }] = ZTracked.parse(value);
  return { eventId, id };
}
