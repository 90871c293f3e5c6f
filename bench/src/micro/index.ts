import type { MicroBenchmark } from "./micro.ts";
import { slotsGenerate } from "./slots-generate.ts";

/** Every micro-benchmark, in the order they run. */
export const microBenchmarks: readonly MicroBenchmark[] = [slotsGenerate];
