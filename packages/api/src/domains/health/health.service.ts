import { sql } from "drizzle-orm";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";

export interface Health {
  status: "ok";
  database: "up";
  databaseKind: Deps["dbKind"];
  databaseRoundTripMs: number;
  version: string;
  uptimeSeconds: number;
}

export interface Liveness {
  status: "ok";
  version: string;
  uptimeSeconds: number;
}

const PING_TIMEOUT_MS = 2_000;

type UptimeDeps = Pick<Deps, "clock" | "version" | "startedAt">;

const uptimeSecondsOf = (deps: UptimeDeps) =>
  Math.floor((deps.clock.now().getTime() - deps.startedAt.getTime()) / 1000);

/** The process answers: no database, so an orchestrator does not restart a server whose database is down. */
export function checkLiveness(deps: UptimeDeps): Liveness {
  return { status: "ok", version: deps.version, uptimeSeconds: uptimeSecondsOf(deps) };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("database ping timed out")), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Readiness: one database round trip; a database that fails or does not answer in time is UNAVAILABLE (503). */
export async function checkHealth(deps: Pick<Deps, "db" | "dbKind"> & UptimeDeps): Promise<Health> {
  const uptimeSeconds = uptimeSecondsOf(deps);
  const started = performance.now();
  try {
    await withTimeout(deps.db.execute(sql`select 1`), PING_TIMEOUT_MS);
  } catch {
    throw new DomainError("UNAVAILABLE", "The database is not answering", {
      status: "unavailable",
      database: "down",
      databaseKind: deps.dbKind,
      version: deps.version,
      uptimeSeconds,
    });
  }
  const databaseRoundTripMs = Math.round((performance.now() - started) * 100) / 100;
  return {
    status: "ok",
    database: "up",
    databaseKind: deps.dbKind,
    databaseRoundTripMs,
    version: deps.version,
    uptimeSeconds,
  };
}
