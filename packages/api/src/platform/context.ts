import type { IncomingMessage } from "node:http";
import type { TRPCRequestInfo } from "@trpc/server/http";
import type { Actor } from "./auth/actor.ts";
import { authenticate } from "./auth/authenticate.ts";
import type { Deps } from "./deps.ts";
import type { Meta } from "./meta.ts";
import { requestIdFrom } from "./request-id.ts";

/** Who is calling, and from where: for audit events, rate limits and sessions. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}

/** A WebSocket's open subscriptions and their cap (WS_MAX_SUBSCRIPTIONS_PER_SOCKET); shared by its calls. */
export interface SubscriptionBudget {
  open: number;
  readonly max: number;
}

export interface Context {
  deps: Deps;
  requestId: string;
  /** The bearer access token as sent; `authenticate` verifies it and loads the session. */
  accessToken: string | null;
  /**
   * The caller behind `accessToken` (authedProcedure's check): throws UNAUTHENTICATED or
   * TOKEN_EXPIRED. Once per HTTP request, however many calls its batch holds; per call elsewhere.
   */
  authenticate(): Promise<Actor>;
  origin: RequestOrigin;
  /**
   * Filled by the base middleware with the called procedure's meta (the REST mirror reads it);
   * `replayed` when the answer is an earlier request's, replayed for its Idempotency-Key;
   * `attachment` the file name a download is saved under (the REST mirror sends it as
   * `Content-Disposition: attachment`; the JSON answer keeps its envelope).
   */
  route: { meta?: Meta; replayed?: boolean; attachment?: string };
  /** The request's `Idempotency-Key` header, as sent (REST only; procedures validate it). */
  idempotencyKey: string | null;
  /** Set by the WebSocket transport: a socket carries many subscriptions (an SSE stream, one). */
  subscriptions?: SubscriptionBudget;
  /**
   * Set by the SSE transport on a subscription's request: aborted, with the DomainError to send,
   * when the caller's session ends while the stream is open (a socket is closed with 4401 instead).
   */
  sessionEnded?: AbortSignal;
}

export interface CreateContextOptions {
  /** Only the headers are read: request id, bearer token, user agent. */
  req: Pick<IncomingMessage, "headers" | "url">;
  info?: Pick<TRPCRequestInfo, "connectionParams">;
  /** The client address as the transport sees it (Express honours TRUST_PROXY). */
  ip?: string | null;
  /**
   * The context serves one HTTP request (a tRPC batch of up to 10 calls, or one REST call): its
   * calls share one session look-up, as they are answered together. Not for a WebSocket, whose
   * context lives as long as the socket and must see a logout at the next call.
   */
  oneRequest?: boolean;
  /**
   * The REST mirror: one call per request, so the request's `Idempotency-Key` header belongs to
   * that call. Not on tRPC, where a batch's calls (or a socket's) would share one header: there
   * the key is the procedure's `idempotencyKey` input.
   */
  idempotencyHeader?: boolean;
}

/** The token of an `Authorization: Bearer <token>` header; null for none or another scheme. */
export function bearerToken(header: string | undefined): string | null {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1] ?? null;
}

/**
 * The access token: the Authorization header on HTTP; on WebSocket the SDK's connectionParams,
 * or `?token=` on the upgrade URL for plain clients (it lands in proxy logs: prefer the former).
 */
export function accessTokenFrom({ req, info }: Pick<CreateContextOptions, "req" | "info">): string | null {
  const fromHeader = bearerToken(req.headers.authorization);
  if (fromHeader) return fromHeader;
  const fromParams = info?.connectionParams?.token;
  if (fromParams) return fromParams;
  if (req.headers.upgrade?.toLowerCase() === "websocket" && req.url) {
    return new URL(req.url, "http://localhost").searchParams.get("token");
  }
  return null;
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(", ") : value;
}

/** One context factory for tRPC over HTTP, tRPC over WebSocket and the REST mirror. */
export function createContextFactory(deps: Deps) {
  return function createContext(options: CreateContextOptions): Context {
    const { req } = options;
    const requestId = requestIdFrom(req.headers["x-request-id"]);
    const userAgent = req.headers["user-agent"]?.slice(0, 300) ?? null;
    const accessToken = accessTokenFrom(options);
    const check = () => authenticate(deps, accessToken);
    let checked: Promise<Actor> | undefined;
    return {
      deps,
      requestId,
      accessToken,
      authenticate: options.oneRequest ? () => (checked ??= check()) : check,
      origin: { ip: options.ip ?? null, userAgent },
      route: {},
      idempotencyKey: options.idempotencyHeader ? headerValue(req.headers["idempotency-key"]) : null,
    };
  };
}
