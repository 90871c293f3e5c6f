import type { BareResponse } from "../scenario.ts";

/** What every bare twin reads of JSON and answers: objects, and the API's refusal envelope. */

export const isObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null;

/** A refusal in the API's envelope (API-CONTRACT.md). */
export const failure = (status: number, message: string): BareResponse => ({
  status,
  body: { success: false, data: null, message },
});
