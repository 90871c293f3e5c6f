import { microBenchmarks } from "./index.ts";
import { runMicro } from "./micro.ts";

// Spawned by measureMicro on the Node being measured: the results as JSON on stdout.
process.stdout.write(JSON.stringify(microBenchmarks.map((benchmark) => runMicro(benchmark))));
