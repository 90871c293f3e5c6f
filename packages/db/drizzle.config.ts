import { defineConfig } from "drizzle-kit";

// Generation only needs the schema; `pnpm db:migrate` and server start apply the SQL.
export default defineConfig({
  dialect: "postgresql",
  schema: "./packages/db/src/schema/index.ts",
  out: "./drizzle",
  casing: "snake_case",
});
