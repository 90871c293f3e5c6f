export { createApp, MAX_BATCH_SIZE } from "./app.ts";
export { type Config, ConfigError, loadConfig } from "./config.ts";
export { createLogger } from "./logger.ts";
export { type RunningServer, startServer } from "./server.ts";
export { CLOSE_SESSION_ENDED } from "./session-guard.ts";
export { CLOSE_SERVICE_RESTART, MAX_WS_PAYLOAD_BYTES } from "./ws.ts";
