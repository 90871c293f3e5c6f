import type { IncomingHttpHeaders } from "node:http";
import { CALENDAR_FEED_PATH } from "@medical/api";
import type { RequestHandler } from "express";
import type { Logger } from "pino";

/** Query keys whose values say nothing about a person (search terms, tRPC `input` and cursors can). */
const LOGGED_QUERY_KEYS = new Set(["limit", "sort", "order", "page", "batch"]);
/** The only headers logged: none of them carries a credential or a person's data. */
const LOGGED_HEADERS = ["host", "origin", "user-agent", "content-type", "content-length", "x-request-id"];
const REDACTED = "[redacted]";

/** A path segment that may be a secret (a feed token, a JWT): long and URL-safe. Ids stay readable. */
const TOKEN_LIKE = /^[A-Za-z0-9._~-]{32,}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A logged query value must look like a number, a sort key or an order. */
const PLAIN_VALUE = /^[\w.,-]{0,32}$/;

const maskSegment = (segment: string) =>
  TOKEN_LIKE.test(segment) && !UUID.test(segment) ? REDACTED : segment;

/**
 * Under the calendar feeds' path everything but `feed` is a feed's secret address, whatever its
 * shape (a token cut short is still most of a secret). Lower-cased: Express matches routes so.
 */
const FEED_PREFIX = `${CALENDAR_FEED_PATH}/`.toLowerCase();

function maskPath(path: string): string {
  const lower = path.toLowerCase();
  if (lower.startsWith(FEED_PREFIX) && lower !== `${FEED_PREFIX}feed`)
    return `${path.slice(0, FEED_PREFIX.length)}${REDACTED}`;
  return path.split("/").map(maskSegment).join("/");
}

/**
 * The URL as logged: the path with token-like segments (and calendar feed addresses) masked, and
 * the query with only the values of harmless keys (other keys keep their name, not their value).
 */
export function loggedUrl(url: string): string {
  const [beforeFragment = ""] = url.split("#", 1);
  const queryAt = beforeFragment.indexOf("?");
  const path = queryAt === -1 ? beforeFragment : beforeFragment.slice(0, queryAt);
  const maskedPath = maskPath(path);
  if (queryAt === -1) return maskedPath;
  const query = [...new URLSearchParams(beforeFragment.slice(queryAt + 1))].map(([key, value]) => {
    const shown = LOGGED_QUERY_KEYS.has(key) && PLAIN_VALUE.test(value) ? value : REDACTED;
    return `${encodeURIComponent(key)}=${shown}`;
  });
  return `${maskedPath}?${query.join("&")}`;
}

function loggedHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const name of LOGGED_HEADERS) {
    const value = headers[name];
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}

/**
 * One line per finished request: id, method, path and harmless query values, harmless headers,
 * status and time. Bodies are never logged. Written at `finish` without a per-request child
 * logger, so it costs nothing when the level is above info.
 */
export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once("finish", () => {
      const level = res.statusCode >= 500 ? "error" : "info";
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        {
          req: {
            id: req.headers["x-request-id"],
            method: req.method,
            url: loggedUrl(req.originalUrl),
            headers: loggedHeaders(req.headers),
          },
          res: { statusCode: res.statusCode },
          responseTimeMs: Number(process.hrtime.bigint() - started) / 1e6,
        },
        "request completed",
      );
    });
    next();
  };
}
