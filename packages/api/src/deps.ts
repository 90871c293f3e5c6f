import type { Database, DatabaseKind } from "@medical/db";
import type { Logger } from "pino";

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Everything a service may touch, built once by the composition root (apps/server/src/main.ts). */
export interface Deps {
  db: Database;
  dbKind: DatabaseKind;
  logger: Logger;
  clock: Clock;
  /** The running release, reported by health. */
  version: string;
  startedAt: Date;
}
