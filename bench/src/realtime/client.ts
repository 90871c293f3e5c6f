/**
 * The socket side of the realtime scenarios, in a process of its own (src/realtime/clients.ts forks
 * it), so the server's heap holds only the server's half of each socket and the client's work does
 * not share the server's event loop. Driven over IPC (ClientCommand, ClientReply): open N sockets
 * of one transport, each holding one idle subscription, wait for titled deliveries, close.
 */
import { WebSocket } from "ws";
import { type ClientCommand, ClientCommandSchema, type ClientReply } from "./protocol.ts";
import { type Transport, transportNamed } from "./transports.ts";

/** Upgrades in flight at once: enough to open 10k sockets quickly, few enough not to time out. */
const IN_FLIGHT = 100;
const OPEN_TIMEOUT_MS = 30_000;

/** Epoch milliseconds with sub-millisecond precision, comparable with the bench process's. */
export const now = () => performance.timeOrigin + performance.now();

interface Arrivals {
  count: number;
  first: number;
  last: number;
}

const sockets = new Set<WebSocket>();
const arrivals = new Map<string, Arrivals>();
let closedEarly = 0;
const waiters = new Set<() => void>();

function record(title: string): void {
  const at = now();
  const seen = arrivals.get(title);
  if (seen) {
    seen.count += 1;
    seen.last = at;
  } else arrivals.set(title, { count: 1, first: at, last: at });
  for (const wake of waiters) wake();
}

/** Opens one socket; resolves with null once its subscription is live, or with why it was refused. */
function openOne(transport: Transport, url: string, token: string | null, localAddress: string) {
  return new Promise<string | null>((resolve) => {
    const ws = new WebSocket(url, {
      localAddress,
      perMessageDeflate: false,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    let live = false;
    const settle = (outcome: string | null) => {
      clearTimeout(timer);
      if (live) return;
      live = outcome === null;
      resolve(outcome);
      if (!live) ws.terminate();
    };
    const timer = setTimeout(() => settle("timeout"), OPEN_TIMEOUT_MS);
    ws.on("unexpected-response", (_req, res) => settle(`HTTP ${res.statusCode ?? "?"}`));
    ws.on("error", (error) => settle(error.message));
    ws.on("open", () => {
      sockets.add(ws);
      for (const frame of transport.subscribe) ws.send(frame);
      if (!transport.started) settle(null);
    });
    ws.on("close", (code) => {
      if (sockets.delete(ws) && live) closedEarly += 1;
      settle(`closed ${code}`);
    });
    ws.on("message", (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString();
      const answer = transport.answer?.(text);
      if (answer !== undefined) {
        ws.send(answer);
        return;
      }
      let frame: unknown;
      try {
        frame = JSON.parse(text);
      } catch {
        return;
      }
      if (!live && transport.started?.(frame)) settle(null);
      const title = transport.titleOf(frame);
      if (title !== undefined) record(title);
    });
  });
}

async function open(command: Extract<ClientCommand, { type: "open" }>): Promise<ClientReply> {
  const transport = transportNamed(command.transport);
  const url = `${command.baseUrl.replace(/^http/, "ws")}${transport.path}`;
  const refusals: Record<string, number> = {};
  let opened = 0;
  let next = 0;
  const worker = async () => {
    while (next < command.tokens.length) {
      const i = next;
      next += 1;
      const address = command.addresses[i % command.addresses.length] ?? "127.0.0.1";
      const outcome = await openOne(transport, url, command.tokens[i] ?? null, address);
      if (outcome === null) opened += 1;
      else refusals[outcome] = (refusals[outcome] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { type: "opened", opened, refusals };
}

async function wait(command: Extract<ClientCommand, { type: "wait" }>): Promise<ClientReply> {
  const done = () => command.titles.every((title) => (arrivals.get(title)?.count ?? 0) >= command.count);
  const deadline = now() + command.timeoutMs;
  while (!done() && now() < deadline) {
    await new Promise<void>((resolve) => {
      const wake = () => {
        waiters.delete(wake);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, deadline - now()));
      waiters.add(wake);
    });
  }
  return {
    type: "arrived",
    arrivals: command.titles.map((title) => arrivals.get(title) ?? null),
    closedEarly,
  };
}

async function close(): Promise<ClientReply> {
  const closing = [...sockets].map(
    (ws) =>
      new Promise<void>((resolve) => {
        ws.once("close", () => resolve());
        ws.close();
      }),
  );
  sockets.clear();
  await Promise.all(closing);
  arrivals.clear();
  closedEarly = 0;
  return { type: "closed" };
}

const reply = (message: ClientReply) => process.send?.(message);
process.on("message", (message) => {
  const command = ClientCommandSchema.parse(message);
  const handled = command.type === "open" ? open(command) : command.type === "wait" ? wait(command) : close();
  void handled.then(reply, (error: unknown) =>
    reply({ type: "failed", error: error instanceof Error ? error.message : String(error) }),
  );
});
process.on("disconnect", () => process.exit(0));
