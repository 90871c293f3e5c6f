import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/** `pnpm fuzz --runs N [--seed S]`: the suite's fuzzer (test/fuzz.e2e.test.ts) with N requests. */
const { values } = parseArgs({ options: { runs: { type: "string" }, seed: { type: "string" } } });
const root = fileURLToPath(new URL("../../../../../", import.meta.url));
const result = spawnSync("pnpm", ["exec", "vitest", "run", "--project", "server", "test/fuzz.e2e.test.ts"], {
  cwd: root,
  stdio: "inherit",
  env: {
    ...process.env,
    ...(values.runs ? { FUZZ_RUNS: values.runs } : {}),
    ...(values.seed ? { FUZZ_SEED: values.seed } : {}),
  },
});
process.exitCode = result.status ?? 1;
