/** The PostgreSQL error fields that are safe to log: never the message, which can hold parameters. */
export interface PgErrorFacts {
  code?: string;
  constraint?: string;
}

function pgFields(value: unknown): PgErrorFacts | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const code = typeof record.code === "string" && /^[0-9A-Z]{5}$/.test(record.code) ? record.code : undefined;
  const constraint =
    typeof record.constraint_name === "string"
      ? record.constraint_name
      : typeof record.constraint === "string"
        ? record.constraint
        : undefined;
  return code || constraint ? { code, constraint } : undefined;
}

/**
 * Finds the SQLSTATE and constraint of a database error, whichever driver raised it and however
 * deeply Drizzle wrapped it (DrizzleQueryError keeps the driver error as `cause`).
 */
export function pgErrorFacts(error: unknown): PgErrorFacts | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const facts = pgFields(current);
    if (facts) return facts;
    current = current instanceof Error ? current.cause : undefined;
  }
  return undefined;
}
