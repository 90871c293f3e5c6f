import { randomUUID } from "node:crypto";

const WELL_FORMED = /^[A-Za-z0-9-]{1,64}$/;

/** A client's X-Request-Id is kept only when well-formed, so it cannot forge log lines. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && WELL_FORMED.test(value) ? value : randomUUID();
}
