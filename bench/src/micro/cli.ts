/*
pnpm bench:micro [--node 24,20]

Runs the micro-benchmarks alone (the full `pnpm bench` runs them too, before its load): each pure
function with a per-call target, timed in a fresh process of each Node major (the first is the
reported one; another than the running Node is fetched with `npx -y node@<major>`), after a JIT
warm-up, every call timed on its own. Prints the median and the 10th–90th percentiles per call, and
the targets. No server, no database.
*/
import { parseArgs } from "node:util";
import { resolveNode } from "../node-versions.ts";
import { formatMicro } from "../report.ts";
import { formatTargets } from "../targets.ts";
import { microBenchmarks } from "./index.ts";
import { measureMicro, microTargets } from "./micro.ts";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { node: { type: "string", default: "24,20" } } });
  if (!/^\d+(,\d+)*$/.test(values.node)) throw new Error("--node: expected Node majors like 24,20");
  const majors = [...new Set(values.node.split(",").map(Number))];
  const results = [];
  for (const major of majors) results.push(...(await measureMicro(await resolveNode(major))));
  const reported = results[0]?.node ?? "";
  console.log(formatMicro(results));
  console.log(`\nTargets (node ${reported}):\n${formatTargets(microTargets(results, reported))}\n`);
  for (const benchmark of microBenchmarks) console.log(`${benchmark.name}: ${benchmark.description}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
