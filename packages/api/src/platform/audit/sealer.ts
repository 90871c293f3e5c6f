import { runPasses } from "../background.ts";
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
  const passes = runPasses(() => sealAuditChain(deps), {
    intervalMs: options.intervalMs,
    logger: deps.logger,
    failure: "audit sealing pass failed",
  });
  return { stop: passes.stop };
}
