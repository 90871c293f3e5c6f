import { type Actor, authenticate, type Deps } from "@medical/api";
import type { WebSocket } from "ws";

/** Close code telling a client its session or access token ended: refresh once, then reconnect. */
export const CLOSE_SESSION_ENDED = 4401;
// Long enough for auth.onSessionEvent's last message to leave before the close frame.
const CLOSE_DELAY_MS = 100;
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SessionGuard {
  /**
   * Ties a socket to the session of its access token and gives its user's id; an invalid token
   * closes it with 4401 (and gives null, as no token does).
   */
  watch(socket: WebSocket, token: string | null): Promise<string | null>;
  /** Ties a socket to the session of a caller already authenticated (the plain socket's ways). */
  follow(socket: WebSocket, actor: Actor): void;
  stop(): void;
}

/**
 * Closes every socket of a revoked session (revocations travel on the EventBus) and every socket
 * whose access token expires, with 4401, so revocation holds on open connections too.
 */
export function createSessionGuard(
  deps: Pick<Deps, "db" | "accessTokens" | "clock" | "events">,
): SessionGuard {
  const sockets = new Map<string, Set<WebSocket>>();
  const end = (socket: WebSocket, reason: string) => {
    setTimeout(() => socket.close(CLOSE_SESSION_ENDED, reason), CLOSE_DELAY_MS).unref();
  };
  const unsubscribe = deps.events.subscribe("session.revoked", ({ sessionIds }) => {
    for (const id of sessionIds) for (const socket of sockets.get(id) ?? []) end(socket, "Session revoked");
  });
  const follow = (socket: WebSocket, actor: Actor) => {
    const group = sockets.get(actor.sessionId) ?? new Set<WebSocket>();
    sockets.set(actor.sessionId, group.add(socket));
    const remaining = actor.accessExpiresAt.getTime() - deps.clock.now().getTime();
    const expiry = setTimeout(
      () => socket.close(CLOSE_SESSION_ENDED, "Access token expired"),
      Math.min(remaining, MAX_TIMER_MS),
    );
    expiry.unref();
    socket.once("close", () => {
      clearTimeout(expiry);
      group.delete(socket);
      if (group.size === 0) sockets.delete(actor.sessionId);
    });
  };
  return {
    async watch(socket, token) {
      if (!token) return null;
      let actor: Actor;
      try {
        actor = await authenticate(deps, token);
      } catch {
        end(socket, "Session ended");
        return null;
      }
      follow(socket, actor);
      return actor.userId;
    },
    follow,
    stop: unsubscribe,
  };
}
