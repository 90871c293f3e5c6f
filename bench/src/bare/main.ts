/**
 * The bare twin: every scenario's `bare` routes on node:http and a bare driver, no framework, no
 * ORM, no validation. Booted by the bench as its own process, like the server, on the same Node.
 */
import { createServer, type ServerResponse } from "node:http";
import { z } from "zod";
import { scenarios } from "../scenarios/index.ts";
import { openBareConnection } from "./query.ts";
import { createRouter } from "./router.ts";

const env = z
  .object({
    BARE_PORT: z.coerce.number().int().min(1).max(65_535),
    BARE_DATABASE_URL: z.string().startsWith("postgres").optional(),
    BARE_PGLITE_DIR: z.string().min(1).optional(),
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

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const match = req.method === "GET" ? route(url.pathname) : undefined;
  if (!match) {
    send(res, 404, { success: false, data: null, message: "not found" });
    return;
  }
  match.route.handle({ query: connection.query, url, params: match.params, headers: req.headers }).then(
    (answer) => send(res, answer.status, answer.body),
    (error: unknown) => {
      console.error(error);
      send(res, 500, { success: false, data: null, message: "internal error" });
    },
  );
});

server.listen(env.BARE_PORT, "127.0.0.1", () => console.log(`bare twin on 127.0.0.1:${env.BARE_PORT}`));

function shutdown(): void {
  server.close();
  server.closeAllConnections();
  void connection.close().finally(() => process.exit(0));
}
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
