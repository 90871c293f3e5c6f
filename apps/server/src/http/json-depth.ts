import { nestsDeeperThan, tooDeep } from "@medical/api";
import type { RequestHandler } from "express";
import { sendError } from "../rest/envelope.ts";

/**
 * A body nested deeper than any input of ours is refused before the REST adapter walks it: its
 * recursive re-serialisation overflows the stack on tens of thousands of levels.
 */
export const boundedJsonDepth: RequestHandler = (req, res, next) => {
  if (!nestsDeeperThan(req.body)) return next();
  const refusal = tooDeep();
  sendError(res, 400, { appCode: refusal.code, message: refusal.message, issues: refusal.issues });
};
