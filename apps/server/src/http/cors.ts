import cors from "cors";
import type { RequestHandler } from "express";

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

/** `http://localhost:*` → a port wildcard; `https://*.clinic.dz` → one host label. */
export function originMatcher(patterns: readonly string[]): (origin: string) => boolean {
  const regexes = patterns.map((pattern) => {
    const source = escapeRegExp(pattern).replace(/:\*/g, ":\\d{1,5}").replace(/\*/g, "[a-z0-9-]+");
    return new RegExp(`^${source}$`, "i");
  });
  return (origin) => regexes.some((regex) => regex.test(origin));
}

export function corsMiddleware(patterns: readonly string[]): RequestHandler {
  const allowed = originMatcher(patterns);
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed(origin)),
    methods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    allowedHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id", "trpc-accept"],
    // X-Operation-Id names the procedure that answered a REST call (the document's operationId);
    // Content-Disposition the file name a data export is saved under.
    exposedHeaders: [
      "X-Request-Id",
      "Retry-After",
      "X-Operation-Id",
      "Idempotent-Replayed",
      "Content-Disposition",
    ],
    maxAge: 600,
  });
}
