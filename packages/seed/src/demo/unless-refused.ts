import { type AppErrorCode, DomainError } from "@medical/api";

/**
 * A demo write through a service, skipped (undefined) when the service refuses it with one of
 * `codes`: what it answers when a demo account or row changed since the seed made it.
 */
export async function unlessRefused<T>(
  codes: ReadonlySet<AppErrorCode>,
  work: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError && codes.has(error.code)) return undefined;
    throw error;
  }
}
