import { defineConfig } from "vitest/config";
import { loadTestConfig, missingService } from "./test/config.ts";
import { postgresAnswers } from "./test/postgres-probe.ts";
import projects from "./vitest.workspace.ts";

const config = loadTestConfig();
// `pnpm test:pg` needs a PostgreSQL server: without one it skips loudly (fails under CI=true).
const skipAll = config.TEST_DB === "postgres" && !(await postgresAnswers(config.TEST_DATABASE_URL));
if (skipAll)
  missingService(config, "PostgreSQL", `nothing answers at TEST_DATABASE_URL=${config.TEST_DATABASE_URL}`);

export default defineConfig({
  test: {
    projects: skipAll ? [] : projects,
    passWithNoTests: skipAll,
    globalSetup: skipAll ? [] : ["./test/global-setup.ts"],
    maxWorkers: 2,
    reporters: config.CI ? ["default", "json"] : ["default"],
    outputFile: { json: `.ci-results/vitest-${config.TEST_DB}.json` },
  },
});
