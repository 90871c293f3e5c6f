import type { AppRouter } from "@medical/api";
import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import superjson from "superjson";

export type { AppRouter };
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** The server refuses larger tRPC batches; the client splits its batches to fit. */
export const MAX_BATCH_ITEMS = 10;

export interface MedicalClientOptions {
  /** The server's base URL, e.g. `https://api.clinic.dz` or `http://localhost:3000`. */
  url: string;
  /** Browsers and Node ≥ 22 have one built in; on Node 20 pass one (e.g. from the `ws` package). */
  WebSocket?: typeof globalThis.WebSocket;
}

/**
 * A typed client: queries and mutations over HTTP batches, subscriptions over one WebSocket
 * that opens on the first subscription and closes when the last one ends.
 */
export function createMedicalClient(options: MedicalClientOptions) {
  const base = options.url.replace(/\/+$/, "");
  const wsClient = createWSClient({
    url: `${base.replace(/^http/, "ws")}/trpc`,
    WebSocket: options.WebSocket,
    lazy: { enabled: true, closeMs: 0 },
  });
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: wsLink({ client: wsClient, transformer: superjson }),
        false: httpBatchLink({ url: `${base}/trpc`, transformer: superjson, maxItems: MAX_BATCH_ITEMS }),
      }),
    ],
  });
}

export type MedicalClient = ReturnType<typeof createMedicalClient>;
