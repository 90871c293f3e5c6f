import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { WebSocketServer } from "ws";

/** Where the twin accepts bare `ws` sockets, and where a POST sends its body to every one of them. */
export const BARE_SOCKET_PATH = "/ws";
export const BARE_BROADCAST_PATH = "/ws/broadcast";

/**
 * The baseline of the realtime scenarios (src/realtime/): a `ws` server with nothing on top, no
 * authentication, no subscription, no database, so its per-socket heap is `ws`'s own (~2.7 KB)
 * and its broadcast is one `send` of the same text per socket.
 */
export function attachBareSockets(server: Server): {
  broadcast(req: IncomingMessage, res: ServerResponse): void;
} {
  // The server's limit (apps/server/src/ws.ts MAX_WS_PAYLOAD_BYTES).
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on("upgrade", (req, socket, head) => {
    socket.on("error", () => socket.destroy());
    if (new URL(req.url ?? "/", "http://127.0.0.1").pathname !== BARE_SOCKET_PATH) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });
  return {
    broadcast(req, res) {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        for (const client of wss.clients) client.send(text);
        res.writeHead(202, { "content-length": "0" }).end();
      });
    },
  };
}
