import {
  createWSClient,
  type OperationLink,
  TRPCClientError,
  type TRPCLink,
  type TRPCWebSocketClient,
  wsLink,
} from "@trpc/client";
import { observable } from "@trpc/server/observable";
import superjson from "superjson";
import type { AppRouter } from "./app-router.ts";
import { hearingEarlyFailures } from "./early-failures.ts";
import { connectionToken, type TokenRefresher } from "./token-refresher.ts";
import type { TokenStore } from "./tokens.ts";

/** The server closes a socket with this code when its session or access token ends (API-CONTRACT §2). */
export const CLOSE_SESSION_ENDED = 4401;
// An idle socket lingers this long, longer than the server's delay between a session's last
// event and its 4401, so the client still hears why the session ended and clears its tokens.
const IDLE_CLOSE_MS = 2_000;

export interface SessionSocket {
  /** The terminating link for subscriptions; the WebSocket client is made on first use. */
  link: TRPCLink<AppRouter>;
  close(): Promise<void>;
}

/**
 * One lazy WebSocket that authenticates with the stored access token at every (re)connect. On a
 * 4401 close it refreshes (shared with HTTP) and lets tRPC reconnect with the new token; when the
 * refresh fails the store is empty and the client is closed, which stops reconnecting.
 */
export function createSessionSocket(options: {
  url: string;
  WebSocket: typeof globalThis.WebSocket | undefined;
  tokens: TokenStore;
  refresher: TokenRefresher;
}): SessionSocket {
  const { tokens, refresher } = options;
  let client: TRPCWebSocketClient | null = null;
  // The access token the newest socket was opened with: the one a 4401 refers to.
  let socketToken: string | null = null;

  // The refresh a 4401 started, while it runs. A connection attempt waits for it, and if it
  // failed the attempt is refused before a socket opens; later attempts connect as usual.
  let sessionEnding: Promise<boolean> | null = null;

  const url = async () => {
    if (sessionEnding && !(await sessionEnding)) {
      throw new Error("@medical/sdk: the session ended; sign in again");
    }
    return options.url;
  };

  const connectionParams = async () => {
    socketToken = await connectionToken(tokens, refresher);
    return socketToken ? { token: socketToken } : {};
  };

  const onClose = (cause?: { code?: number }) => {
    if (cause?.code !== CLOSE_SESSION_ENDED) return;
    const ending = refresher.refresh(socketToken).then((refreshed) => {
      if (sessionEnding === ending) sessionEnding = null;
      if (!refreshed) void client?.close();
      return refreshed;
    });
    sessionEnding = ending;
  };

  const open = (): TRPCWebSocketClient => {
    const WebSocketImpl = options.WebSocket ?? globalThis.WebSocket;
    // Node 20 has no global WebSocket although its types declare one.
    if (typeof WebSocketImpl !== "function") {
      throw new Error("@medical/sdk: no WebSocket in this runtime; pass one, e.g. from the `ws` package");
    }
    return createWSClient({
      url,
      WebSocket: hearingEarlyFailures(WebSocketImpl),
      lazy: { enabled: true, closeMs: IDLE_CLOSE_MS },
      connectionParams,
      onClose,
    });
  };

  const link: TRPCLink<AppRouter> = (runtime) => {
    let send: OperationLink<AppRouter> | null = null;
    return (call) => {
      try {
        client ??= open();
        send ??= wsLink<AppRouter>({ client, transformer: superjson })(runtime);
      } catch (cause) {
        const error = cause instanceof Error ? cause : new Error(String(cause));
        return observable((observer) => observer.error(TRPCClientError.from<AppRouter>(error)));
      }
      return send(call);
    };
  };

  return {
    link,
    close: async () => {
      await client?.close();
    },
  };
}
