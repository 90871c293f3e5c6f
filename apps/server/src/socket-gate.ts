import type { IncomingMessage } from "node:http";
import { accessTokenFrom, type Deps } from "@medical/api";
import type { Config } from "./config.ts";
import { clientIp, type TrustProxy } from "./http/client-ip.ts";
import { originMatcher } from "./http/cors.ts";

/**
 * Close code for a socket whose user already holds WS_MAX_SOCKETS_PER_USER sockets, found out only
 * after the upgrade (the token came in connectionParams). Reconnecting will not help until one closes.
 */
export const CLOSE_TOO_MANY_SOCKETS = 4429;

export type Admission = { ok: true } | { ok: false; status: 403 | 429; reason: string };

/** What an admitted connection is counted until: an upgrading socket, or an SSE response. */
export interface Closable {
  readonly destroyed: boolean;
  on(event: "close", listener: () => void): unknown;
}

/**
 * What every WebSocket endpoint checks before `handleUpgrade`, and tRPC's SSE route before its
 * stream starts: the browser Origin, then the open connections (sockets and streams together) of
 * the client's IP and of the user its credential names.
 */
export interface SocketGate {
  /**
   * Admitted connections count against their IP and user until `connection` (the upgrading
   * socket, the SSE response) closes. `identify` names the user (by default the one the bearer
   * header or `?token=` names); it runs only for an allowed Origin.
   */
  admit(req: IncomingMessage, connection: Closable, identify?: Identify): Promise<Admission>;
  /**
   * Counts an admitted socket against the user its token names once that is known (tRPC
   * connectionParams); false when the user is over the cap: close it with CLOSE_TOO_MANY_SOCKETS.
   */
  claim(req: IncomingMessage, userId: string): boolean;
}

/** The user a connection will count against, or null when not known before the upgrade. */
export type Identify = (req: IncomingMessage) => Promise<string | null>;

interface Counted {
  ip: string;
  userId: string | null;
  closed: boolean;
}

function counter() {
  const counts = new Map<string, number>();
  return {
    of: (key: string) => counts.get(key) ?? 0,
    add(key: string) {
      counts.set(key, (counts.get(key) ?? 0) + 1);
    },
    remove(key: string) {
      const left = (counts.get(key) ?? 0) - 1;
      if (left > 0) counts.set(key, left);
      else counts.delete(key);
    },
  };
}

export function createSocketGate(
  deps: Pick<Deps, "accessTokens">,
  options: { corsOrigins: readonly string[]; trust: TrustProxy; limits: Config["webSockets"] },
): SocketGate {
  const allowedOrigin = originMatcher(options.corsOrigins);
  const { maxSocketsPerUser, maxSocketsPerIp } = options.limits;
  const perIp = counter();
  const perUser = counter();
  const counted = new WeakMap<IncomingMessage, Counted>();

  // Only identifies whom to count: the session guard still authenticates the connection (and ends it).
  const userOf: Identify = async (req) => {
    const token = accessTokenFrom({ req });
    if (!token) return null;
    const verified = await deps.accessTokens.verify(token);
    return verified.ok ? verified.claims.userId : null;
  };

  return {
    async admit(req, connection, identify = userOf) {
      // Browsers always send Origin; the SDK on Node and mobile apps send none and are not CSRF vectors.
      const origin = req.headers.origin;
      if (origin !== undefined && !allowedOrigin(origin))
        return { ok: false, status: 403, reason: "Origin not allowed" };
      const userId = await identify(req);
      const ip = clientIp(req, options.trust);
      // Checked and counted in one turn, after the last await, so parallel upgrades cannot overshoot.
      if (maxSocketsPerIp !== undefined && perIp.of(ip) >= maxSocketsPerIp)
        return { ok: false, status: 429, reason: "Too many connections from this address" };
      if (userId !== null && perUser.of(userId) >= maxSocketsPerUser)
        return { ok: false, status: 429, reason: "Too many connections for this user" };
      const entry: Counted = { ip, userId, closed: false };
      counted.set(req, entry);
      perIp.add(ip);
      if (userId !== null) perUser.add(userId);
      const release = () => {
        entry.closed = true;
        perIp.remove(entry.ip);
        if (entry.userId !== null) perUser.remove(entry.userId);
      };
      if (connection.destroyed) release();
      // `on`, not `once`: a socket emits "close" once, and `once` would keep a wrapper per socket.
      else connection.on("close", release);
      return { ok: true };
    },
    claim(req, userId) {
      const entry = counted.get(req);
      if (!entry || entry.closed || entry.userId === userId) return true;
      if (perUser.of(userId) >= maxSocketsPerUser) return false;
      if (entry.userId !== null) perUser.remove(entry.userId);
      entry.userId = userId;
      perUser.add(userId);
      return true;
    },
  };
}
