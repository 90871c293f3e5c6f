import { z } from "zod";
import { BARE_SOCKET_PATH } from "../bare/sockets.ts";
import type { ServerKind } from "../servers.ts";

/**
 * How one kind of socket holds one idle notifications subscription and how a delivery looks on it.
 * The realtime scenarios run every transport of this list; another transport is one entry here.
 */
export interface Transport {
  readonly name: TransportName;
  /** Which process serves it: ours, or the bare twin (the `ws` baseline). */
  readonly server: ServerKind;
  readonly path: string;
  /** Sent once the socket is open, to subscribe (none: the URL subscribes). */
  readonly subscribe: readonly string[];
  /** Whether the frame says the subscription is live; without it, the socket is live once open. */
  started?(frame: unknown): boolean;
  /** The title of the notification a frame delivers, undefined for any other frame. */
  titleOf(frame: unknown): string | undefined;
  /** The answer to a text frame the protocol expects one for (tRPC's keep-alive PING). */
  answer?(text: string): string | undefined;
}

export type TransportName = "trpc" | "plain" | "bare";

/**
 * A tRPC answer on the socket: `started`, then `data`, superjson's `json` wrapping the tracked
 * envelope `{ id, data: <notification DTO> }`.
 */
const TrpcResult = z.object({
  result: z.object({
    type: z.string(),
    data: z.object({ json: z.object({ data: z.object({ title: z.string() }) }) }).optional(),
  }),
});
/** The plain socket's frame (issue 18), which the twin sends too. */
const EventFrame = z.object({ type: z.literal("event"), data: z.object({ title: z.string() }) });
const eventTitle = (frame: unknown) => EventFrame.safeParse(frame).data?.data.title;

/** One subscription id per socket: each socket holds one. */
const SUBSCRIPTION_ID = 1;

export const TRANSPORTS: readonly Transport[] = [
  {
    name: "trpc",
    server: "ours",
    path: "/trpc",
    // tRPC's JSON-RPC over the socket, the input as superjson writes it (the server's transformer).
    subscribe: [
      JSON.stringify({
        id: SUBSCRIPTION_ID,
        method: "subscription",
        params: { path: "notifications.onEvent", input: { json: {} } },
      }),
    ],
    started: (frame) => TrpcResult.safeParse(frame).data?.result.type === "started",
    titleOf: (frame) => TrpcResult.safeParse(frame).data?.result.data?.json.data.title,
    answer: (text) => (text === "PING" ? "PONG" : undefined),
  },
  {
    name: "plain",
    server: "ours",
    path: "/api/v1/notifications/ws",
    subscribe: [],
    titleOf: eventTitle,
  },
  {
    name: "bare",
    server: "bare",
    path: BARE_SOCKET_PATH,
    subscribe: [],
    // The twin broadcasts the plain socket's frames.
    titleOf: eventTitle,
  },
];

export function transportNamed(name: TransportName): Transport {
  const transport = TRANSPORTS.find((t) => t.name === name);
  if (!transport) throw new Error(`no transport ${name}`);
  return transport;
}
