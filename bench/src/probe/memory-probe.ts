/**
 * Preloaded into every server the bench boots (`node --import`), so heap can be reported without
 * touching apps/server: answers `{ type: "memory" }` on the IPC channel with process.memoryUsage(),
 * after two full garbage collections when the message says `gc: true` (what is retained, not what
 * is garbage yet: the per-socket heap of src/realtime/). Idle until asked. It also stops the server
 * when the bench disappears (SIGKILL, crash), so no orphan keeps a port or the run database open.
 *
 * Written without type syntax: src/servers.ts hands this text to Node as JavaScript (a data: URL),
 * because the compiled server runs on plain node, without a TypeScript loader, on Node 20 too.
 */
const send = process.send?.bind(process);
/** `gc()` without --expose-gc on the command line (the server runs with the production flags), found once. */
const collector = async () => {
  const [v8, vm] = await Promise.all([import("node:v8"), import("node:vm")]);
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc");
  if (typeof gc !== "function") throw new Error("no gc after --expose-gc");
  return () => gc();
};
let collectorOnce = () => {
  const found = collector();
  collectorOnce = () => found;
  return found;
};
async function fullGc() {
  const collect = await collectorOnce();
  collect();
  collect();
}
if (send) {
  process.on("message", (message) => {
    if (typeof message === "object" && message !== null && "type" in message && message.type === "memory") {
      const ready = "gc" in message && message.gc === true ? fullGc() : Promise.resolve();
      void ready.then(() => send({ type: "memory", ...process.memoryUsage() }));
    }
  });
  process.on("disconnect", () => process.kill(process.pid, "SIGTERM"));
  // The listeners above ref the channel; unref it so the probe never keeps the server alive.
  process.channel?.unref();
}
