import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
  type TRPCLink,
} from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "./app-router.ts";
import {
  type LiveNotifications,
  type LiveNotificationsOptions,
  liveNotifications,
} from "./live-notifications.ts";
import { refreshLink } from "./refresh-link.ts";
import type { RouterInputs, RouterOutputs } from "./router-types.ts";
import { createSessionSocket } from "./session-socket.ts";
import { connectionToken, createTokenRefresher, type TokenRefresher } from "./token-refresher.ts";
import { memoryTokenStore, type TokenStore, type Tokens } from "./tokens.ts";

/** The server refuses larger tRPC batches; the client splits its batches to fit. */
export const MAX_BATCH_ITEMS = 10;

/** Any EventSource class tRPC's SSE link accepts: the browser's, or the `eventsource` package's. */
export type EventSourceClass = NonNullable<Parameters<typeof httpSubscriptionLink>[0]["EventSource"]>;

export interface MedicalClientOptions {
  /** The server's base URL, e.g. `https://api.clinic.dz` or `http://localhost:3000`. */
  url: string;
  /** Where tokens live; in memory by default. */
  tokens?: TokenStore;
  /**
   * How subscriptions travel: one WebSocket (the default), or one Server-Sent Events stream per
   * subscription over plain HTTP, for networks that let no socket through.
   */
  subscriptions?: "websocket" | "sse";
  /** Browsers and Node ≥ 22 have one built in; on Node 20 pass one (e.g. from the `ws` package). */
  WebSocket?: typeof globalThis.WebSocket;
  /** For `subscriptions: "sse"`: browsers have one; on Node pass one (the `eventsource` package's). */
  EventSource?: EventSourceClass;
  /** The `fetch` for HTTP calls, the global one by default. */
  fetch?: typeof globalThis.fetch;
}

/** The signed-in user, as login and register return it. */
export type SessionUser = RouterOutputs["auth"]["login"]["user"];

export interface MedicalClient {
  /**
   * The typed tRPC client: `api.users.me.query()`, `api.auth.onSessionEvent.subscribe(...)`.
   * Calls carry the stored access token and refresh it once on `TOKEN_EXPIRED`.
   */
  readonly api: TRPCClient<AppRouter>;
  /** The store the client reads and writes its tokens in. */
  readonly tokens: TokenStore;
  /** Signs in and stores the tokens. */
  login(email: string, password: string): Promise<SessionUser>;
  /** Creates a patient account, signs in and stores the tokens. */
  register(input: RouterInputs["auth"]["register"]): Promise<SessionUser>;
  /** Ends this session on the server and empties the store, even when the server cannot be reached. */
  logout(): Promise<void>;
  /** Closes the WebSocket, ending its subscriptions (SSE ones end when unsubscribed); HTTP keeps working. */
  close(): Promise<void>;
  readonly notifications: {
    /** The caller's notifications as they arrive, resumed across reconnects and token refreshes. */
    live(options: LiveNotificationsOptions): LiveNotifications;
  };
}

const pairOf = ({ accessToken, refreshToken }: Tokens): Tokens => ({ accessToken, refreshToken });

/**
 * Subscriptions over SSE: the access token goes in tRPC's connectionParams (the URL's query, as a
 * browser's EventSource sends no headers), read afresh for every new stream.
 */
function sseLink(
  url: string,
  options: MedicalClientOptions,
  tokens: TokenStore,
  refresher: TokenRefresher,
): TRPCLink<AppRouter> {
  return httpSubscriptionLink({
    url,
    transformer: superjson,
    EventSource: options.EventSource,
    connectionParams: async () => {
      const token = await connectionToken(tokens, refresher);
      return token ? { token } : {};
    },
  });
}

/**
 * A typed client: queries and mutations over HTTP batches, subscriptions over one WebSocket that
 * opens on the first subscription and closes shortly after the last one ends, or over SSE streams
 * (see README).
 */
export function createMedicalClient(options: MedicalClientOptions): MedicalClient {
  const base = options.url.replace(/\/+$/, "");
  const tokens = options.tokens ?? memoryTokenStore();

  // auth.refresh has its own chain: the refresh link must never retry or refresh it.
  const refreshClient = createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${base}/trpc`, transformer: superjson, fetch: options.fetch })],
  });
  const refresher = createTokenRefresher(tokens, async (refreshToken) =>
    pairOf(await refreshClient.auth.refresh.mutate({ refreshToken })),
  );
  // Lazy: a client on SSE never opens it.
  const socket = createSessionSocket({
    url: `${base.replace(/^http/, "ws")}/trpc`,
    WebSocket: options.WebSocket,
    tokens,
    refresher,
  });

  const api = createTRPCClient<AppRouter>({
    links: [
      refreshLink({ tokens, refresher }),
      splitLink({
        condition: (op) => op.type === "subscription",
        true:
          options.subscriptions === "sse" ? sseLink(`${base}/trpc`, options, tokens, refresher) : socket.link,
        false: httpBatchLink({
          url: `${base}/trpc`,
          transformer: superjson,
          maxItems: MAX_BATCH_ITEMS,
          fetch: options.fetch,
          headers: () => {
            const stored = tokens.get();
            return stored ? { authorization: `Bearer ${stored.accessToken}` } : {};
          },
        }),
      }),
    ],
  });

  const signIn = (session: RouterOutputs["auth"]["login"]): SessionUser => {
    tokens.set(pairOf(session));
    return session.user;
  };

  return {
    api,
    tokens,
    login: async (email, password) => signIn(await api.auth.login.mutate({ email, password })),
    register: async (input) => signIn(await api.auth.register.mutate(input)),
    async logout() {
      // A refresh in flight would spend the refresh token this logout sends.
      await refresher.settled();
      const stored = tokens.get();
      if (!stored) return;
      try {
        await api.auth.logout.mutate({ refreshToken: stored.refreshToken });
      } finally {
        tokens.set(null);
      }
    },
    close: () => socket.close(),
    notifications: { live: (live) => liveNotifications(api, live) },
  };
}
