import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** Thrown by anything that tries to start work after Ctrl-C, so the run unwinds instead of carrying on. */
export class ShutdownError extends Error {
  override readonly name = "ShutdownError";
}

const live = new Set<ChildProcess>();
const cleanups: Array<() => Promise<void>> = [];
let shuttingDown = false;

function track(child: ChildProcess): void {
  live.add(child);
  child.once("exit", () => live.delete(child));
}

/** Registers an async cleanup step; they run newest first on exit, error or Ctrl-C. Returns an unregister. */
export function onCleanup(step: () => Promise<void>): () => void {
  cleanups.push(step);
  return () => {
    const index = cleanups.lastIndexOf(step);
    if (index >= 0) cleanups.splice(index, 1);
  };
}

export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const step = cleanups.pop();
    try {
      await step?.();
    } catch (error) {
      console.error(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/**
 * Ctrl-C reaches the whole process group, so hey and the servers get it too; we still stop them
 * ourselves (a kill of the bench alone must not leave them running) and then drop the run database.
 */
export function installSignalHandlers(): void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      for (const child of live) child.kill("SIGKILL");
      process.exit(130);
    }
    shuttingDown = true;
    console.error(`\n${signal}: stopping child processes and dropping the run database…`);
    void runCleanups().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // Last resort when the bench dies on an exception: exit handlers cannot await, but they can kill.
  process.on("exit", () => {
    for (const child of live) child.kill("SIGKILL");
  });
}

function assertRunning(): void {
  if (shuttingDown) throw new ShutdownError("interrupted");
}

export interface Finished {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion, capturing its output; killed if it outlives `timeoutMs`. */
export async function spawnTracked(
  command: string,
  args: readonly string[],
  options: { timeoutMs: number; env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<Finished> {
  assertRunning();
  const child = spawn(command, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: options.env,
    cwd: options.cwd,
  });
  track(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => {
    child.kill("SIGINT");
    setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
  }, options.timeoutMs);
  const code = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (exitCode) => resolve(exitCode ?? -1));
  }).finally(() => clearTimeout(timer));
  assertRunning();
  return { code, stdout, stderr };
}

/** A server child: its pid for /proc sampling, the tail of its output for error messages, and a stop. */
export interface LongRunning {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<number | null>;
  hasExited(): boolean;
  tail(): string;
  stop(): Promise<void>;
}

const TAIL_LINES = 40;

export function startLongRunning(
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; stopTimeoutMs?: number },
): LongRunning {
  assertRunning();
  // The IPC channel carries memory samples (probe/memory-probe.ts) and tells the child when we die.
  const child = spawn(command, args, {
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    env: options.env,
    cwd: options.cwd,
  });
  track(child);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${command}`);
  const lines: string[] = [];
  const keep = (chunk: string) => {
    lines.push(...chunk.split("\n").filter((line) => line.length > 0));
    if (lines.length > TAIL_LINES) lines.splice(0, lines.length - TAIL_LINES);
  };
  child.stdout?.setEncoding("utf8").on("data", keep);
  child.stderr?.setEncoding("utf8").on("data", keep);
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      done = true;
      resolve(code);
    });
  });
  return {
    child,
    pid,
    exited,
    hasExited: () => done,
    tail: () => lines.join("\n"),
    async stop() {
      if (done) return;
      child.kill("SIGTERM");
      const timeout = sleep(options.stopTimeoutMs ?? 15_000).then(() => "timeout" as const);
      if ((await Promise.race([exited, timeout])) === "timeout") {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}

/** A port that was free a moment ago; the small race with other processes is acceptable for a bench. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

/** Polls `url` until `accept(status)`; fails early, with the child's output, if the child exits. */
export async function waitForHttp(
  url: string,
  server: LongRunning,
  options: { timeoutMs: number; pollMs?: number; accept: (status: number) => boolean },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    assertRunning();
    if (server.hasExited()) throw new Error(`the server exited while starting:\n${server.tail()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (options.accept(response.status)) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(options.pollMs ?? 100);
  }
  throw new Error(`${url} did not answer within ${options.timeoutMs} ms (last: ${last}):\n${server.tail()}`);
}
