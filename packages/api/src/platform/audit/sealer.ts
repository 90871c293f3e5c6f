import { pgErrorFacts } from "@medical/db";
import type { Deps } from "../deps.ts";
import { sealAuditChain } from "./chain.ts";

export interface AuditSealer {
  /**
   * Stops the timer, waits for a pass in progress, then runs a last pass: what the requests
   * drained at shutdown wrote is sealed before the database closes.
   */
  stop(): Promise<void>;
}

/**
 * The background sealer (decision record 0026): a sealing pass at start, then one `intervalMs`
 * after each pass ends (never two at once in a process; the database lock keeps it to one across
 * processes). A failed pass is logged without its SQL and retried at the next tick.
 */
export function startAuditSealer(
  deps: Pick<Deps, "db" | "logger">,
  options: { intervalMs: number },
): AuditSealer {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let stopping: Promise<void> | undefined;

  const pass = async () => {
    try {
      await sealAuditChain(deps);
    } catch (error) {
      deps.logger.warn(
        { errorClass: error instanceof Error ? error.name : typeof error, ...pgErrorFacts(error) },
        "audit sealing pass failed",
      );
    }
  };
  const tick = () => {
    running = pass().finally(() => {
      running = undefined;
      if (stopped) return;
      timer = setTimeout(tick, options.intervalMs);
      // The server's sockets keep the process alive; the sealer alone must not.
      timer.unref();
    });
  };
  tick();

  return {
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
