import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import type { LongRunning } from "./processes.ts";

const MiB = 1024 * 1024;
const MemoryReply = z.object({
  type: z.literal("memory"),
  heapUsed: z.number(),
  heapTotal: z.number(),
  rss: z.number(),
});

/** Peaks over one timed run, in MiB; null when a sample could not be taken. */
export interface MemoryPeaks {
  readonly rssMiB: number | null;
  readonly heapUsedMiB: number | null;
  readonly heapTotalMiB: number | null;
}

/** VmRSS of a process as the kernel counts it (the whole process: heap, code, buffers, the PGlite wasm memory). */
export function readRssBytes(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match?.[1] ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function askHeap(
  server: LongRunning,
  timeoutMs: number,
  gc = false,
): Promise<z.infer<typeof MemoryReply> | null> {
  const { child } = server;
  if (!child.connected) return Promise.resolve(null);
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      const parsed = MemoryReply.safeParse(message);
      if (!parsed.success) return;
      finish(parsed.data);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    const finish = (value: z.infer<typeof MemoryReply> | null) => {
      clearTimeout(timer);
      child.off("message", onMessage);
      resolve(value);
    };
    child.on("message", onMessage);
    child.send({ type: "memory", gc }, (error) => {
      if (error) finish(null);
    });
  });
}

/** Samples RSS (/proc) and heap (the preloaded probe) until stopped; returns the peaks. */
export function sampleMemory(server: LongRunning, intervalMs = 250): { stop(): Promise<MemoryPeaks> } {
  let stopped = false;
  let rss: number | null = null;
  let heapUsed: number | null = null;
  let heapTotal: number | null = null;
  const max = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
  const loop = (async () => {
    while (!stopped && !server.hasExited()) {
      rss = max(rss, readRssBytes(server.pid));
      const heap = await askHeap(server, 1_000);
      heapUsed = max(heapUsed, heap?.heapUsed ?? null);
      heapTotal = max(heapTotal, heap?.heapTotal ?? null);
      await sleep(intervalMs);
    }
  })();
  const mib = (bytes: number | null) => (bytes === null ? null : bytes / MiB);
  return {
    async stop() {
      stopped = true;
      await loop;
      return { rssMiB: mib(rss), heapUsedMiB: mib(heapUsed), heapTotalMiB: mib(heapTotal) };
    },
  };
}

/** Heap in use and RSS in bytes after two full collections in the server: what it retains. */
export async function retainedMemory(server: LongRunning): Promise<{ heapUsed: number; rss: number }> {
  const reply = await askHeap(server, 30_000, true);
  if (!reply) throw new Error("the server did not report its memory (no memory probe?)");
  return { heapUsed: reply.heapUsed, rss: reply.rss };
}
