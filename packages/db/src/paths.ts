import { fileURLToPath } from "node:url";

/** The top-level `drizzle/` folder: one migration history for PGlite and PostgreSQL. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../../drizzle", import.meta.url));
