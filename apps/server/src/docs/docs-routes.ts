import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import express, { type Router } from "express";

const require = createRequire(import.meta.url);
const SWAGGER_DIR = dirname(require.resolve("swagger-ui-dist/package.json"));
const REDOC_BUNDLE = join(dirname(require.resolve("redoc/package.json")), "bundles", "redoc.standalone.js");

const page = (title: string, head: string, body: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
${head}
</head>
<body>
${body}
</body>
</html>
`;

const SWAGGER_PAGE = page(
  "medical-backend API — Swagger UI",
  '<link rel="stylesheet" href="/docs/assets/swagger-ui.css">',
  '<div id="swagger-ui"></div>\n<script src="/docs/assets/swagger-ui-bundle.js"></script>\n<script src="/docs/init.js"></script>',
);

// A file, not an inline script, so the Content-Security-Policy can forbid inline scripts.
const SWAGGER_INIT = `window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  tryItOutEnabled: true,
});
`;

const REDOC_PAGE = page(
  "medical-backend API — ReDoc",
  "<style>body { margin: 0; }</style>",
  '<redoc spec-url="/openapi.json" hide-download-button="false"></redoc>\n<script src="/redoc/redoc.standalone.js"></script>',
);

/**
 * ReDoc's footer loads its logo from a CDN, which the CSP (and an offline clinic network) refuses,
 * so the page would log an error. An empty data: URL fails to load and ReDoc then hides the logo.
 */
function redocWithoutCdn(): string {
  return readFileSync(REDOC_BUNDLE, "utf8").replaceAll("https://cdn.redoc.ly/redoc/logo-mini.svg", "data:,");
}

/** /openapi.json, /docs (Swagger UI) and /redoc, from locally installed packages: no CDN. */
export function docsRoutes(document: object): Router {
  const routes = express.Router();
  const json = JSON.stringify(document);
  routes.get("/openapi.json", (_req, res) => {
    res.type("application/json").send(json);
  });
  routes.get("/docs", (_req, res) => {
    res.type("html").send(SWAGGER_PAGE);
  });
  routes.get("/docs/init.js", (_req, res) => {
    res.type("text/javascript").send(SWAGGER_INIT);
  });
  routes.use("/docs/assets", express.static(SWAGGER_DIR, { index: false, maxAge: "1h" }));
  routes.get("/redoc", (_req, res) => {
    res.type("html").send(REDOC_PAGE);
  });
  const redocBundle = redocWithoutCdn();
  routes.get("/redoc/redoc.standalone.js", (_req, res) => {
    res.set("cache-control", "public, max-age=3600").type("text/javascript").send(redocBundle);
  });
  return routes;
}
