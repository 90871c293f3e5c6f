import { appCodeForStatus, appErrors, stackFrames } from "@medical/api";
import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "pino";
import { noRouteMessage, sendError } from "../rest/envelope.ts";

interface HttpErrorLike {
  type?: string;
  status?: number;
}

function httpErrorOf(error: unknown): HttpErrorLike {
  if (typeof error !== "object" || error === null) return {};
  const type = "type" in error && typeof error.type === "string" ? error.type : undefined;
  const status = "status" in error && typeof error.status === "number" ? error.status : undefined;
  return { type, status };
}

/** body-parser's errors (Express's default answer is an HTML page) in the envelope. */
export const jsonBodyErrors: ErrorRequestHandler = (error, _req, res, next) => {
  const { type } = httpErrorOf(error);
  switch (type) {
    case "entity.parse.failed":
      return sendError(res, 400, { appCode: "MALFORMED_JSON", message: appErrors.MALFORMED_JSON.message });
    case "entity.too.large":
      return sendError(res, 413, {
        appCode: "PAYLOAD_TOO_LARGE",
        message: appErrors.PAYLOAD_TOO_LARGE.message,
      });
    case "encoding.unsupported":
    case "charset.unsupported":
      return sendError(res, 415, {
        appCode: "UNSUPPORTED_MEDIA_TYPE",
        message: "Unsupported body encoding: send UTF-8 JSON",
      });
    default:
      return next(error);
  }
};

export const notFound: RequestHandler = (req, res) => {
  sendError(res, 404, { appCode: "NOT_FOUND", message: noRouteMessage(req.method, req.originalUrl) });
};

/** The last resort: a generic 500 with the request id; the log gets the class and frames only. */
export function unexpectedErrors(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    const { status } = httpErrorOf(error);
    if (status && status >= 400 && status < 500) {
      const appCode = appCodeForStatus(status);
      return sendError(res, status, { appCode, message: appErrors[appCode].message });
    }
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
