import type { RequestHandler } from "express";
import type { Logger } from "pino";
import { redactUrl } from "../logger.ts";

/**
 * One line per finished request: id, method, redacted URL, headers (authorization and cookies are
 * censored by the logger's redact paths), status and time. Bodies are never logged. Written at
 * `finish` without a per-request child logger, so it costs nothing when the level is above info.
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
            url: redactUrl(req.originalUrl),
            headers: req.headers,
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
