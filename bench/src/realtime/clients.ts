import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { onCleanup } from "../processes.ts";
import { type ClientCommand, type ClientReply, ClientReplySchema } from "./protocol.ts";

const CLIENT_ENTRY = fileURLToPath(new URL("./client.ts", import.meta.url));
const TSX_LOADER = import.meta.resolve("tsx");

/**
 * Loopback addresses the client binds its sockets to, in turn: 10k sockets from one address would
 * use 10k ephemeral ports of one (source, destination) pair; spread over 40 they use 250 each. The
 * server's per-IP cap (WS_MAX_SOCKETS_PER_IP) is unset by default, so it does not count them.
 */
export const LOOPBACK_ADDRESSES = Array.from(
  { length: 40 },
  (_, i) => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`,
);

type Replied<T extends ClientReply["type"]> = Extract<ClientReply, { type: T }>;

export interface SocketClient {
  open(command: Omit<Extract<ClientCommand, { type: "open" }>, "type">): Promise<Replied<"opened">>;
  wait(command: Omit<Extract<ClientCommand, { type: "wait" }>, "type">): Promise<Replied<"arrived">>;
  /** Closes every socket (awaiting each close handshake) and forgets the arrivals. */
  close(): Promise<void>;
  stop(): Promise<void>;
}

/** Forks the socket client (src/realtime/client.ts) on the bench's Node. */
export function startSocketClient(): SocketClient {
  const child = fork(CLIENT_ENTRY, [], {
    execArgv: ["--import", TSX_LOADER],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    unregister();
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
  };
  const unregister = onCleanup(stop);
  const request = (command: ClientCommand) =>
    new Promise<ClientReply>((resolve, reject) => {
      const onExit = () => reject(new Error("the socket client exited"));
      child.once("exit", onExit);
      child.once("message", (message) => {
        child.off("exit", onExit);
        const reply = ClientReplySchema.parse(message);
        if (reply.type === "failed") reject(new Error(`socket client: ${reply.error}`));
        else resolve(reply);
      });
      child.send(command);
    });
  const unexpected = (reply: ClientReply) => new Error(`socket client answered ${reply.type}`);
  return {
    async open(command) {
      const reply = await request({ type: "open", ...command });
      if (reply.type !== "opened") throw unexpected(reply);
      return reply;
    },
    async wait(command) {
      const reply = await request({ type: "wait", ...command });
      if (reply.type !== "arrived") throw unexpected(reply);
      return reply;
    },
    async close() {
      const reply = await request({ type: "close" });
      if (reply.type !== "closed") throw unexpected(reply);
    },
    stop,
  };
}
