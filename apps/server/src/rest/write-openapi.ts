import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { appRouter } from "@medical/api";
import { readVersion } from "../version.ts";
import { buildOpenApiDocument } from "./openapi-document.ts";

/**
 * Writes the document /openapi.json serves, from the router alone (no server, no database), for
 * the linter and the generated-client check: `tsx src/rest/write-openapi.ts <file>`.
 */
const [target] = process.argv.slice(2);
if (!target) {
  console.error("usage: write-openapi.ts <file.json>");
  process.exit(2);
}
const file = resolve(target);
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(buildOpenApiDocument(appRouter, readVersion()), null, 2)}\n`);
console.log(`wrote ${file}`);
