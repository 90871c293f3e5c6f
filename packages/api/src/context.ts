import type { IncomingMessage } from "node:http";
import type { TRPCRequestInfo } from "@trpc/server/http";
import type { Logger } from "pino";
import type { Deps } from "./deps.ts";
import type { Meta } from "./meta.ts";
import { requestIdFrom } from "./request-id.ts";

export interface Context {
  deps: Deps;
  requestId: string;
  logger: Logger;
  /** Filled by the base middleware with the called procedure's meta (the REST mirror reads it). */
  route: { meta?: Meta };
}

export interface CreateContextOptions {
  /** Only the headers are read (request id; Identity adds the bearer token). */
  req: Pick<IncomingMessage, "headers">;
  info?: TRPCRequestInfo;
}

/** One context factory for tRPC over HTTP, tRPC over WebSocket and the REST mirror. */
export function createContextFactory(deps: Deps) {
  return function createContext({ req }: CreateContextOptions): Context {
    const requestId = requestIdFrom(req.headers["x-request-id"]);
    return { deps, requestId, logger: deps.logger.child({ requestId }), route: {} };
  };
}
