import type { DbHandle } from "@medical/db";
import pino, { type DestinationStream, type Logger } from "pino";
import type { Clock, Deps } from "../deps.ts";

/** Deps over a test database. The logger is silent unless a test passes a stream to capture it. */
export function makeTestDeps(
  handle: DbHandle,
  options: { clock?: Clock; logStream?: DestinationStream; logger?: Logger } = {},
): Deps {
  const logger =
    options.logger ??
    (options.logStream ? pino({ level: "debug" }, options.logStream) : pino({ level: "silent" }));
  return {
    db: handle.db,
    dbKind: handle.kind,
    logger,
    clock: options.clock ?? { now: () => new Date() },
    version: "0.0.0-test",
    startedAt: new Date(),
  };
}
