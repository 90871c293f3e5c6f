import { z } from "zod";

/** What the bench asks of the socket client process (src/realtime/client.ts), over IPC. */
export const ClientCommandSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("open"),
    baseUrl: z.string(),
    transport: z.enum(["trpc", "plain", "bare"]),
    /** One socket per entry, with this bearer token (null: none). */
    tokens: z.array(z.string().nullable()),
    /** Loopback addresses the sockets are bound to, in turn (src/realtime/clients.ts). */
    addresses: z.array(z.string()).min(1),
  }),
  /** Resolves once every title has arrived `count` times over all sockets, or at the timeout. */
  z.object({
    type: z.literal("wait"),
    titles: z.array(z.string()),
    count: z.number().int().min(1),
    timeoutMs: z.number().int().min(1),
  }),
  z.object({ type: z.literal("close") }),
]);
export type ClientCommand = z.infer<typeof ClientCommandSchema>;

const Arrivals = z.object({ count: z.number(), first: z.number(), last: z.number() });

export const ClientReplySchema = z.discriminatedUnion("type", [
  /** `refusals`: why sockets did not come up (`HTTP 404`, `closed 4429`, …) and how many. */
  z.object({ type: z.literal("opened"), opened: z.number(), refusals: z.record(z.string(), z.number()) }),
  /**
   * Per title asked, in order: deliveries and the first and last arrival (epoch ms); null when none
   * came. `closedEarly`: live sockets the server closed since they opened.
   */
  z.object({ type: z.literal("arrived"), arrivals: z.array(Arrivals.nullable()), closedEarly: z.number() }),
  z.object({ type: z.literal("closed") }),
  z.object({ type: z.literal("failed"), error: z.string() }),
]);
export type ClientReply = z.infer<typeof ClientReplySchema>;
