import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type Actor,
  type AppRouter,
  accessTokenFrom,
  authenticate,
  type Deps,
  DomainError,
} from "@medical/api";
import type { AnyRouter } from "@trpc/server";
import { parseConnectionParamsFromString } from "@trpc/server/http";
import type { NextFunction, Request, Response } from "express";
import type { SessionEnd, SessionGuard } from "./session-guard.ts";
import type { SocketGate } from "./socket-gate.ts";

/** tRPC subscriptions over HTTP (Server-Sent Events, `httpSubscriptionLink`), admitted like sockets. */
export interface SseStreams {
  /**
   * Express middleware before tRPC's on /trpc: a subscription's GET passes the socket gate (Origin,
   * then the caps it shares with WebSockets: 403 or 429 before the stream starts), is counted until
   * its response closes, and is tied to its session. Other requests pass through.
   */
  admit(req: Request, res: Response, next: NextFunction): void;
  /** What tRPC's context carries as `sessionEnded` for this request (none for a query or mutation). */
  sessionEnded(req: IncomingMessage): AbortSignal | undefined;
  /** Shutdown: cuts every open stream; EventSource clients reconnect (with Last-Event-ID) elsewhere. */
  close(): void;
  /** Open streams, for the metrics. */
  readonly size: number;
}

/** The access token an SSE request carries: `Authorization: Bearer`, or connectionParams' `token`. */
function tokenOf(req: Request): string | null {
  const raw = typeof req.query.connectionParams === "string" ? req.query.connectionParams : null;
  let connectionParams: Record<string, string | undefined> | null = null;
  try {
    connectionParams = raw === null ? null : parseConnectionParamsFromString(raw);
  } catch {
    // tRPC refuses the malformed parameters itself, in the stream.
  }
  return accessTokenFrom({ req, info: { connectionParams } });
}

// Sent in the stream as UNAUTHORIZED: tRPC's client does not retry it, so the caller hears it.
const SESSION_ERRORS: Record<SessionEnd, () => DomainError> = {
  revoked: () => new DomainError("UNAUTHENTICATED", "Session revoked"),
  expired: () => new DomainError("TOKEN_EXPIRED"),
  invalid: () => new DomainError("UNAUTHENTICATED"),
};

function typeOf(def: unknown): unknown {
  return typeof def === "object" && def !== null && "type" in def ? def.type : undefined;
}

/** The dotted paths of the router's subscriptions ("notifications.onEvent"). */
function subscriptionPaths(router: AnyRouter): Set<string> {
  const paths = new Set<string>();
  for (const [path, procedure] of Object.entries(router._def.procedures)) {
    if (typeof procedure === "function" && "_def" in procedure && typeOf(procedure._def) === "subscription")
      paths.add(path);
  }
  return paths;
}

export function createSseStreams(
  deps: Pick<Deps, "db" | "accessTokens" | "clock">,
  router: AppRouter,
  gate: SocketGate,
  guard: SessionGuard,
): SseStreams {
  const open = new Set<ServerResponse>();
  const ended = new WeakMap<IncomingMessage, AbortSignal>();
  const subscriptions = subscriptionPaths(router);
  const isSubscription = (path: string) => subscriptions.has(path);

  return {
    admit(req, res, next) {
      // The procedure path as tRPC's Express adapter reads it.
      if (req.method !== "GET" || !isSubscription(req.path.slice(req.path.lastIndexOf("/") + 1)))
        return next();
      const token = tokenOf(req);
      // Authenticated inside the gate, after its Origin check; a bad token is left to the
      // procedure's own check, which refuses it in the stream where tRPC's client reads it.
      const found: { actor: Actor | null } = { actor: null };
      const identify = async () => {
        if (!token) return null;
        try {
          found.actor = await authenticate(deps, token);
        } catch (error) {
          if (error instanceof DomainError) return null;
          throw error;
        }
        return found.actor.userId;
      };
      gate
        .admit(req, res, identify)
        .then((admission) => {
          if (!admission.ok) {
            res.status(admission.status).json({ error: { message: admission.reason } });
            return;
          }
          const session = new AbortController();
          ended.set(req, session.signal);
          open.add(res);
          res.once("close", () => open.delete(res));
          if (found.actor)
            guard.follow(
              {
                end: (why) => session.abort(SESSION_ERRORS[why]()),
                onClose: (listener) => res.once("close", listener),
              },
              found.actor,
            );
          next();
        })
        .catch(next);
    },
    sessionEnded: (req) => ended.get(req),
    get size() {
      return open.size;
    },
    close() {
      for (const res of open) res.destroy();
    },
  };
}
