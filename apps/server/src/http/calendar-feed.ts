import { type AppErrorCode, appErrors, type Deps, DomainError, readFeed } from "@medical/api";
import type { RequestHandler } from "express";
import { sendError } from "../rest/envelope.ts";
import { retryAfterHeaders } from "./retry-after.ts";

/** The operation's name in /openapi.json, `X-Operation-Id` and the metrics' labels. */
export const CALENDAR_FEED_OPERATION = "calendar-serveFeed";
const FEED_FILE = /^([^/]+)\.ics$/;

/**
 * `GET /api/v1/calendar/{token}.ics` (mounted there): the feed, as `text/calendar`, to anyone
 * holding the address — calendar apps send no bearer token, so this is no procedure of the REST
 * mirror. Errors keep the JSON envelope (404 for an unknown or revoked token, 429 with
 * Retry-After). The query string is ignored: some calendar apps append their own. The path holds
 * the secret: the access log masks it (access-log.ts) and nothing else here logs it.
 */
export function calendarFeedRoute(deps: Deps): RequestHandler {
  return (req, res, next) => {
    const file = FEED_FILE.exec(String(req.params.file ?? ""));
    if (!file?.[1]) return next();
    res.setHeader("x-operation-id", CALENDAR_FEED_OPERATION);
    readFeed(deps, file[1], req.ip ?? null).then(
      (text) => {
        res.status(200).setHeader("Content-Type", "text/calendar; charset=utf-8");
        res.send(text);
      },
      (error: unknown) => {
        if (!(error instanceof DomainError)) return next(error);
        const code: AppErrorCode = error.code;
        for (const [name, value] of Object.entries(retryAfterHeaders([{ cause: error }])))
          res.setHeader(name, value);
        sendError(res, appErrors[code].status, {
          appCode: code,
          message: error.message,
          details: error.details,
        });
      },
    );
  };
}
