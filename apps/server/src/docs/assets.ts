import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The files /docs and /redoc serve, each from its package. The build copies them into
 * `dist/docs-assets/`, so the compiled server needs neither package (ReDoc's alone brings React
 * and some 60 packages) at run time; from sources (tests, `pnpm dev`) they come from the packages.
 */
export const DOC_ASSETS = {
  "swagger-ui.css": { from: "swagger-ui-dist", file: "swagger-ui.css" },
  "swagger-ui-bundle.js": { from: "swagger-ui-dist", file: "swagger-ui-bundle.js" },
  "favicon-32x32.png": { from: "swagger-ui-dist", file: "favicon-32x32.png" },
  "redoc.standalone.js": { from: "redoc", file: "bundles/redoc.standalone.js" },
} as const;

export const BUILT_ASSETS_DIR = "docs-assets";

/** Where an asset is: beside the compiled bundle when there is one, else in its package. */
export function docAssetPath(name: keyof typeof DOC_ASSETS): string {
  const built = fileURLToPath(new URL(`./${BUILT_ASSETS_DIR}/${name}`, import.meta.url));
  return existsSync(built) ? built : packagedFile(DOC_ASSETS[name]);
}

export function packagedFile({ from, file }: { from: string; file: string }): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve(`${from}/package.json`)), file);
}
