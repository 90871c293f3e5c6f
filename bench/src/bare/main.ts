/**
 * The bare twin: every scenario's `bare` routes on node:http and a bare driver, no framework, no
 * ORM, no validation. Booted by the bench as its own process, like the server, on the same Node.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { z } from "zod";
import { ACCESS_TOKENS } from "../identity.ts";
import type { BareTokens, Method } from "../scenario.ts";
import { scenarios } from "../scenarios/index.ts";
import { openBareConnection } from "./query.ts";
import { createRouter } from "./router.ts";
import { attachBareSockets, BARE_BROADCAST_PATH } from "./sockets.ts";

const env = z
  .object({
    BARE_PORT: z.coerce.number().int().min(1).max(65_535),
    BARE_DATABASE_URL: z.string().startsWith("postgres").optional(),
    BARE_PGLITE_DIR: z.string().min(1).optional(),
    BARE_JWT_SECRET: z.string().min(32),
  })
  .refine((e) => (e.BARE_DATABASE_URL === undefined) !== (e.BARE_PGLITE_DIR === undefined), {
    message: "set exactly one of BARE_DATABASE_URL and BARE_PGLITE_DIR",
  })
  .parse(process.env);

const connection = await openBareConnection(
  env.BARE_DATABASE_URL !== undefined
    ? { kind: "postgres", url: env.BARE_DATABASE_URL }
    : { kind: "pglite", dir: env.BARE_PGLITE_DIR ?? "" },
);
const route = createRouter(scenarios.flatMap((scenario) => scenario.bare));
const tokens: BareTokens = { ...ACCESS_TOKENS, key: new TextEncoder().encode(env.BARE_JWT_SECRET) };
// The server's default BODY_LIMIT_BYTES.
const BODY_LIMIT_BYTES = 102_400;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

class BadRequest extends Error {}

/** A POST's JSON body, bounded like the server's; undefined for a GET. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  if (req.method !== "POST") return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT_BYTES) throw new BadRequest("body too large");
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new BadRequest("body is not JSON");
  }
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  if (req.method === "POST" && url.pathname === BARE_BROADCAST_PATH) {
    sockets.broadcast(req, res);
    return;
  }
  const method: Method | undefined = req.method === "GET" || req.method === "POST" ? req.method : undefined;
  const match = method ? route(url.pathname, method) : undefined;
  if (!match) {
    send(res, 404, { success: false, data: null, message: "not found" });
    return;
  }
  readJson(req)
    .then((body) =>
      match.route.handle({
        query: connection.query,
        transaction: connection.transaction,
        url,
        params: match.params,
        headers: req.headers,
        body,
        tokens,
      }),
    )
    .then(
      (answer) => send(res, answer.status, answer.body),
      (error: unknown) => {
        if (error instanceof BadRequest) {
          send(res, 400, { success: false, data: null, message: error.message });
          return;
        }
        console.error(error);
        send(res, 500, { success: false, data: null, message: "internal error" });
      },
    );
});

const sockets = attachBareSockets(server);

server.listen(env.BARE_PORT, "127.0.0.1", () => console.log(`bare twin on 127.0.0.1:${env.BARE_PORT}`));

function shutdown(): void {
  server.close();
  server.closeAllConnections();
  void connection.close().finally(() => process.exit(0));
}
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
