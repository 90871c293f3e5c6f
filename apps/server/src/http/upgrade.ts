import type { Duplex } from "node:stream";

const STATUS_TEXT = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  429: "Too Many Requests",
  503: "Service Unavailable",
} as const;
export type UpgradeRefusal = keyof typeof STATUS_TEXT;

/** Refuses a WebSocket upgrade with a bare HTTP status: decided before the socket exists. */
export function rejectUpgrade(socket: Duplex, status: UpgradeRefusal): void {
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
