import { type Actor, authenticate, type Deps } from "@medical/api";
import type { WebSocket } from "ws";

/** Close code telling a client its session or access token ended: refresh once, then reconnect. */
export const CLOSE_SESSION_ENDED = 4401;
// Long enough for auth.onSessionEvent's last message to leave before the close frame.
const CLOSE_DELAY_MS = 100;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Why a connection's session ended: a logout or reset, the access token's expiry, a bad token. */
export type SessionEnd = "revoked" | "expired" | "invalid";

/** A long-lived connection (a WebSocket, an SSE response) as the guard sees it. */
export interface GuardedConnection {
  /** Ends the connection the way its transport tells a client that its session ended. */
  end(why: SessionEnd): void;
  /** Calls `listener` once the connection closes, whoever closed it. */
  onClose(listener: () => void): void;
}

export interface SessionGuard {
  /**
   * Ties a connection to the session of its access token and gives its user's id; an invalid
   * token ends it at once (and gives null, as no token does).
   */
  watch(connection: GuardedConnection, token: string | null): Promise<string | null>;
  /** Ties a connection to the session of a caller already authenticated (the plain socket, SSE). */
  follow(connection: GuardedConnection, actor: Actor): void;
  stop(): void;
}

const CLOSE_REASONS: Record<SessionEnd, string> = {
  revoked: "Session revoked",
  expired: "Access token expired",
  invalid: "Session ended",
};

/** A WebSocket: its session ends with a 4401 close. */
export function socketConnection(socket: WebSocket): GuardedConnection {
  return {
    end: (why) => {
      setTimeout(() => socket.close(CLOSE_SESSION_ENDED, CLOSE_REASONS[why]), CLOSE_DELAY_MS).unref();
    },
    onClose: (listener) => socket.once("close", listener),
  };
}

/**
 * Ends every connection of a revoked session (revocations travel on the EventBus) and every
 * connection whose access token expires, so revocation holds on open connections too.
 */
export function createSessionGuard(
  deps: Pick<Deps, "db" | "accessTokens" | "clock" | "events">,
): SessionGuard {
  const connections = new Map<string, Set<GuardedConnection>>();
  const unsubscribe = deps.events.subscribe("session.revoked", ({ sessionIds }) => {
    for (const id of sessionIds)
      for (const connection of connections.get(id) ?? []) connection.end("revoked");
  });
  const follow = (connection: GuardedConnection, actor: Actor) => {
    const group = connections.get(actor.sessionId) ?? new Set<GuardedConnection>();
    connections.set(actor.sessionId, group.add(connection));
    const remaining = actor.accessExpiresAt.getTime() - deps.clock.now().getTime();
    const expiry = setTimeout(() => connection.end("expired"), Math.min(remaining, MAX_TIMER_MS));
    expiry.unref();
    connection.onClose(() => {
      clearTimeout(expiry);
      group.delete(connection);
      if (group.size === 0) connections.delete(actor.sessionId);
    });
  };
  return {
    async watch(connection, token) {
      if (!token) return null;
      let actor: Actor;
      try {
        actor = await authenticate(deps, token);
      } catch {
        connection.end("invalid");
        return null;
      }
      follow(connection, actor);
      return actor.userId;
    },
    follow,
    stop: unsubscribe,
  };
}
