/**
 * Preloaded into every server the bench boots (`node --import`), so heap can be reported without
 * touching apps/server: answers `{ type: "memory" }` on the IPC channel with process.memoryUsage().
 * Idle until asked. It also stops the server when the bench disappears (SIGKILL, crash), so no
 * orphan keeps a port or the run database open.
 *
 * Written without type syntax: src/servers.ts hands this text to Node as JavaScript (a data: URL),
 * because the compiled server runs on plain node, without a TypeScript loader, on Node 20 too.
 */
const send = process.send?.bind(process);
if (send) {
  process.on("message", (message) => {
    if (typeof message === "object" && message !== null && "type" in message && message.type === "memory") {
      send({ type: "memory", ...process.memoryUsage() });
    }
  });
  process.on("disconnect", () => process.kill(process.pid, "SIGTERM"));
  // The listeners above ref the channel; unref it so the probe never keeps the server alive.
  process.channel?.unref();
}
