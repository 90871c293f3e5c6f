import type { RequestHandler } from "express";
import helmet from "helmet";

/**
 * Helmet with a Content-Security-Policy under which /docs (Swagger UI) and /redoc still run:
 * scripts only from this origin (no inline script, no CDN); inline styles and blob: workers are
 * what both viewers need. TLS is the proxy's job, so no upgrade-insecure-requests on plain HTTP.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        fontSrc: ["'self'", "data:"],
        workerSrc: ["'self'", "blob:"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
  });
}

/**
 * API answers carry personal data and session tokens: no browser, proxy or CDN may keep them
 * (health too: one rule for every API answer is simpler than a list of safe ones).
 */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader("Cache-Control", "no-store");
  next();
};
