const ENDINGS = ["error", "close"] as const;
/** Any event's listener, as WebSocket's last `addEventListener` overload takes it. */
type ListenerArguments = Parameters<WebSocket["addEventListener"]>;

/**
 * `WebSocketImpl` whose failure to connect (`error`, `close` before `open`) reaches listeners
 * added after it fired. tRPC's client
 * attaches its listeners a few microtasks after it constructs a socket, and Node's built-in
 * WebSocket (22 and later) can fail a refused connection before that: the client then waits for
 * ever on a reconnect attempt that already failed, and never tries again.
 */
export function hearingEarlyFailures(WebSocketImpl: typeof WebSocket): typeof WebSocket {
  // Not a private field: a subclass's constructor may add listeners before this class's fields exist.
  const failures = new WeakMap<WebSocket, Map<string, Event>>();
  return class extends WebSocketImpl {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      const ended = new Map<string, Event>();
      failures.set(this, ended);
      let opened = false;
      super.addEventListener("open", () => {
        opened = true;
      });
      for (const type of ENDINGS)
        super.addEventListener(type, (event) => {
          if (!opened) ended.set(type, event);
        });
    }

    override addEventListener(...[type, listener, options]: ListenerArguments): void {
      super.addEventListener(type, listener, options);
      const past = failures.get(this)?.get(type);
      if (!past) return;
      queueMicrotask(() => {
        if (typeof listener === "function") listener.call(this, past);
        else listener.handleEvent(past);
      });
    }
  };
}
