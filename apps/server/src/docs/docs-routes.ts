import { readFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import express, { type Router } from "express";
import { docAssetPath } from "./assets.ts";

const SWAGGER_ASSETS = ["swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"] as const;

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
  return readFileSync(docAssetPath("redoc.standalone.js"), "utf8").replaceAll(
    "https://cdn.redoc.ly/redoc/logo-mini.svg",
    "data:,",
  );
}

/**
 * /openapi.json, /docs (Swagger UI) and /redoc, from local files: no CDN. The document is built at
 * its first request, not at every start (~100 ms of CPU, and its objects kept in memory).
 */
export function docsRoutes(buildDocument: () => object): Router {
  const routes = express.Router();
  let json: string | undefined;
  routes.get("/openapi.json", (_req, res) => {
    json ??= JSON.stringify(buildDocument());
    res.type("application/json").send(json);
  });
  routes.get("/docs", (_req, res) => {
    res.type("html").send(SWAGGER_PAGE);
  });
  routes.get("/docs/init.js", (_req, res) => {
    res.type("text/javascript").send(SWAGGER_INIT);
  });
  for (const name of SWAGGER_ASSETS) {
    const file = docAssetPath(name);
    // Relative to its folder: send refuses a path with a dot segment, and pnpm's is node_modules/.pnpm.
    routes.get(`/docs/assets/${name}`, (_req, res) => {
      res.sendFile(basename(file), { root: dirname(file), maxAge: "1h" });
    });
  }
  routes.get("/redoc", (_req, res) => {
    res.type("html").send(REDOC_PAGE);
  });
  // Read at the first visit: 1 MB most servers never send.
  let redocBundle: string | undefined;
  routes.get("/redoc/redoc.standalone.js", (_req, res) => {
    redocBundle ??= redocWithoutCdn();
    res.set("cache-control", "public, max-age=3600").type("text/javascript").send(redocBundle);
  });
  return routes;
}
