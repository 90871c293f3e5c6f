import { requestIdFrom } from "@medical/api";
import type { RequestHandler } from "express";

/** Keeps a well-formed client X-Request-Id, or makes one; every later layer reads the header. */
export const assignRequestId: RequestHandler = (req, res, next) => {
  const id = requestIdFrom(req.headers["x-request-id"]);
  req.headers["x-request-id"] = id;
  res.setHeader("X-Request-Id", id);
  next();
};
