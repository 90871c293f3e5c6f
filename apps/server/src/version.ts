import { readFileSync } from "node:fs";
import { z } from "zod";

/** The release reported by health and the OpenAPI document: the root package.json's version. */
export function readVersion(): string {
  const file = new URL("../../../package.json", import.meta.url);
  return z.object({ version: z.string() }).parse(JSON.parse(readFileSync(file, "utf8"))).version;
}
