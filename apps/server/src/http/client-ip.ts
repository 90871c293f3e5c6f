import type { IncomingMessage } from "node:http";
import proxyaddr from "proxy-addr";

/** Whether to believe the hop at `address`, `hop` steps from the socket (proxy-addr's contract). */
export type TrustProxy = (address: string, hop: number) => boolean;

/**
 * TRUST_PROXY compiled the way Express compiles its `trust proxy` setting. The app is given this
 * function and WebSockets use it too, so both transports see the same client IP.
 */
export function compileTrustProxy(setting: boolean | number | string): TrustProxy {
  if (typeof setting === "boolean") return () => setting;
  if (typeof setting === "number") return (_address, hop) => hop < setting;
  return proxyaddr.compile(setting.split(",").map((part) => part.trim()));
}

/** The client address of a request Express does not see (a WebSocket upgrade), as `req.ip` would give it. */
export function clientIp(req: IncomingMessage, trust: TrustProxy): string {
  return proxyaddr(req, trust);
}
