import { appErrors, stackFrames } from "@medical/api";
import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "pino";
import { noRouteMessage, sendError } from "../rest/envelope.ts";

interface BodyError {
  type?: string;
  status?: number;
}

/** body-parser's error kind (`entity.parse.failed`, …) and status, when it is one of its errors. */
function bodyErrorOf(error: unknown): BodyError {
  if (typeof error !== "object" || error === null) return {};
  const type = "type" in error && typeof error.type === "string" ? error.type : undefined;
  const status = "status" in error && typeof error.status === "number" ? error.status : undefined;
  return { type, status };
}

/** body-parser's errors (Express's default answer is an HTML page) in the envelope. */
export const jsonBodyErrors: ErrorRequestHandler = (error, _req, res, next) => {
  const { type, status } = bodyErrorOf(error);
  if (type === "entity.too.large")
    return sendError(res, 413, {
      appCode: "PAYLOAD_TOO_LARGE",
      message: appErrors.PAYLOAD_TOO_LARGE.message,
    });
  if (type === "encoding.unsupported" || type === "charset.unsupported")
    return sendError(res, 415, {
      appCode: "UNSUPPORTED_MEDIA_TYPE",
      message: "Unsupported body encoding: send UTF-8 JSON",
    });
  // Not JSON, cut short of its Content-Length, or not decodable (a bad gzip stream): all 400s.
  if (status === 400)
    return sendError(res, 400, { appCode: "MALFORMED_JSON", message: appErrors.MALFORMED_JSON.message });
  return next(error);
};

export const notFound: RequestHandler = (req, res) => {
  sendError(res, 404, { appCode: "NOT_FOUND", message: noRouteMessage(req.method, req.originalUrl) });
};

/** The last resort: a generic 500 with the request id; the log gets the class and frames only. */
export function unexpectedErrors(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    logger.error(
      {
        requestId: req.headers["x-request-id"],
        errorClass: error instanceof Error ? error.name : typeof error,
        frames: stackFrames(error),
      },
      "unexpected error",
    );
    sendError(res, 500, { appCode: "INTERNAL", message: appErrors.INTERNAL.message });
  };
}
