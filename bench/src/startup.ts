import { cp } from "node:fs/promises";
import { join } from "node:path";
import { migratedPgliteFolder, scratchDataDir } from "./database.ts";
import { readRssBytes } from "./memory.ts";
import type { NodeRuntime } from "./node-versions.ts";
import { bootServer } from "./servers.ts";
import { type Summary, summarize } from "./stats.ts";

export interface StartTimes {
  readonly node: string;
  readonly folder: "migrated PGlite" | "empty folder";
  /** Spawn to the first 200 of GET /api/v1/health (the database answers), over the runs. */
  readonly startMs: Summary;
  /** The process's RSS right after that answer. */
  readonly rssMiB: Summary;
}

/**
 * Boots ours `runs` times on a copy of a migrated PGlite folder (a restart) and `runs` times on an
 * empty folder (a first start: migrations), one at a time, polling readiness every 10 ms.
 */
export async function measureStartTimes(
  node: NodeRuntime,
  serverEntry: string,
  runs: number,
  log: (line: string) => void,
): Promise<StartTimes[]> {
  const migrated = await migratedPgliteFolder();
  const results: StartTimes[] = [];
  for (const folder of ["migrated PGlite", "empty folder"] as const) {
    const times: number[] = [];
    const rss: number[] = [];
    for (let run = 1; run <= runs; run++) {
      const scratch = await scratchDataDir("start");
      try {
        if (folder === "migrated PGlite")
          await cp(migrated, join(scratch.dir, "pglite"), { recursive: true });
        const server = await bootServer({
          kind: "ours",
          node,
          copy: { dataDir: scratch.dir },
          serverEntry,
          pollMs: 10,
        });
        const bytes = readRssBytes(server.process.pid);
        await server.stop();
        times.push(server.startMs);
        if (bytes !== null) rss.push(bytes / 2 ** 20);
        log(`start on ${folder} #${run}: ${server.startMs.toFixed(0)} ms`);
      } finally {
        await scratch.dispose();
      }
    }
    const startMs = summarize(times);
    const rssMiB = summarize(rss);
    if (startMs && rssMiB) results.push({ node: node.version, folder, startMs, rssMiB });
  }
  return results;
}
