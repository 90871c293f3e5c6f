import { pgErrorFacts } from "@medical/db";
import type { Logger } from "pino";

/** Background work the server starts after it listens and stops after its requests drain. */
export interface BackgroundPasses {
  /** Asks for a pass now instead of at the next tick (one more if a pass is running). */
  wake(): void;
  /** Stops the timer, waits for a pass in progress, then runs a last pass. */
  stop(): Promise<void>;
}

/**
 * Runs `work` at start, then `intervalMs` after each pass ends, or sooner when woken; never two at
 * once in a process. A failed pass is logged as `failure` (the error's class and SQLSTATE, never
 * its SQL) and the next tick is the retry. The timer is unref'd: the server's sockets keep the
 * process alive, background work alone must not.
 */
export function runPasses(
  work: () => Promise<unknown>,
  options: { intervalMs: number; logger: Logger; failure: string },
): BackgroundPasses {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let stopping: Promise<void> | undefined;

  const pass = async () => {
    try {
      await work();
    } catch (error) {
      options.logger.warn(
        { errorClass: error instanceof Error ? error.name : typeof error, ...pgErrorFacts(error) },
        options.failure,
      );
    }
  };
  const tick = () => {
    clearTimeout(timer);
    again = false;
    running = pass().finally(() => {
      running = undefined;
      if (stopped) return;
      if (again) return tick();
      timer = setTimeout(tick, options.intervalMs);
      timer.unref();
    });
  };
  tick();

  return {
    wake() {
      if (stopped) return;
      if (running) again = true;
      else tick();
    },
    stop() {
      stopping ??= (async () => {
        stopped = true;
        clearTimeout(timer);
        await running;
        await pass();
      })();
      return stopping;
    },
  };
}
