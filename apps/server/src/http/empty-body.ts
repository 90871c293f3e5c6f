import type { RequestHandler } from "express";

/**
 * A POST without a body (`/auth/logout-all`) needs no Content-Type: the REST adapter would answer
 * 415 for a missing one, so an empty body is treated as empty JSON.
 */
export const emptyBodyIsJson: RequestHandler = (req, _res, next) => {
  const empty = !req.headers["transfer-encoding"] && (req.headers["content-length"] ?? "0") === "0";
  if (empty && !req.headers["content-type"] && req.method !== "GET" && req.method !== "HEAD") {
    req.headers["content-type"] = "application/json";
  }
  next();
};
