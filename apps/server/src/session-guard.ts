import { type Actor, authenticate, type Deps } from "@medical/api";
import type { WebSocket } from "ws";

/** Close code telling a client its session or access token ended: refresh once, then reconnect. */
export const CLOSE_SESSION_ENDED = 4401;
// Long enough for auth.onSessionEvent's last message to leave before the close frame.
const CLOSE_DELAY_MS = 100;
/**
 * How often access-token expiries are checked: a connection ends within this of its token's
 * expiry. One sweep for every connection rather than a timer each (issue 18's heap per socket).
 */
const EXPIRY_SWEEP_MS = 1_000;

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

/** A WebSocket: its session ends with a 4401 close. A class: no closures held per socket. */
class SocketConnection implements GuardedConnection {
  readonly #socket: WebSocket;

  constructor(socket: WebSocket) {
    this.#socket = socket;
  }

  end(why: SessionEnd) {
    setTimeout(() => this.#socket.close(CLOSE_SESSION_ENDED, CLOSE_REASONS[why]), CLOSE_DELAY_MS).unref();
  }

  onClose(listener: () => void) {
    // `on`, not `once`: ws emits "close" once, and `once` would add a wrapper per socket.
    this.#socket.on("close", listener);
  }
}

export function socketConnection(socket: WebSocket): GuardedConnection {
  return new SocketConnection(socket);
}

/** A followed connection; `expiresAt` (ms) is Infinity once it was told its token expired. */
interface Followed {
  readonly connection: GuardedConnection;
  expiresAt: number;
}

/**
 * Ends every connection of a revoked session (revocations travel on the EventBus) and every
 * connection whose access token expires, so revocation holds on open connections too.
 */
export function createSessionGuard(
  deps: Pick<Deps, "db" | "accessTokens" | "clock" | "events">,
): SessionGuard {
  // A session's connections, in an array: most sessions hold one, and a Set costs ~170 bytes more.
  const connections = new Map<string, Followed[]>();
  const unsubscribe = deps.events.subscribe("session.revoked", ({ sessionIds }) => {
    for (const id of sessionIds)
      for (const followed of connections.get(id) ?? []) followed.connection.end("revoked");
  });
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () => {
    const now = deps.clock.now().getTime();
    for (const group of connections.values())
      for (const followed of group)
        if (followed.expiresAt <= now) {
          followed.expiresAt = Number.POSITIVE_INFINITY;
          followed.connection.end("expired");
        }
  };
  const follow = (connection: GuardedConnection, actor: Actor) => {
    const { sessionId } = actor;
    const followed: Followed = { connection, expiresAt: actor.accessExpiresAt.getTime() };
    const group = connections.get(sessionId);
    if (group) group.push(followed);
    else connections.set(sessionId, [followed]);
    sweeper ??= setInterval(sweep, EXPIRY_SWEEP_MS).unref();
    connection.onClose(() => {
      const others = connections.get(sessionId)?.filter((other) => other !== followed) ?? [];
      if (others.length > 0) connections.set(sessionId, others);
      else connections.delete(sessionId);
      if (connections.size === 0) {
        clearInterval(sweeper);
        sweeper = undefined;
      }
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
    stop() {
      unsubscribe();
      clearInterval(sweeper);
      sweeper = undefined;
    },
  };
}
