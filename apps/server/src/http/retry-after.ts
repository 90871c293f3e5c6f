import { DomainError } from "@medical/api";

/** `Retry-After` for a rate-limited call, from the limiter's wait (API-CONTRACT §1: 429 with Retry-After). */
export function retryAfterHeaders(errors: readonly { cause?: unknown }[]): Record<string, string> {
  for (const error of errors) {
    const cause = error.cause;
    if (cause instanceof DomainError && cause.code === "RATE_LIMITED") {
      const seconds = cause.details?.retryAfterSeconds;
      if (typeof seconds === "number") return { "retry-after": String(Math.max(1, Math.ceil(seconds))) };
    }
  }
  return {};
}
