import { randomUUID } from "node:crypto";

const WELL_FORMED = /^[A-Za-z0-9-]{1,64}$/;

/**
 * randomUUID() in one piece: Node joins it from some twenty parts, which V8 keeps as a tree of
 * ~520 bytes until something flattens it; toLowerCase (a no-op on its text) gives a ~100-byte
 * flat copy. A WebSocket's context keeps its id as long as the socket is open (issue 18's heap).
 */
function flatUuid(): string {
  return randomUUID().toLowerCase();
}

/** A client's X-Request-Id is kept only when well-formed, so it cannot forge log lines. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && WELL_FORMED.test(value) ? value : flatUuid();
}
