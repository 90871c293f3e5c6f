import pino, { type DestinationStream, type Logger } from "pino";

/**
 * Paths pino censors wherever they appear. Bodies are never logged at all; these catch headers
 * and any field a developer might log by mistake.
 */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  "*.password",
  "*.newPassword",
  "*.currentPassword",
  "*.token",
  "*.accessToken",
  "*.refreshToken",
];

export interface LoggerOptions {
  /** Where JSON lines go (tests capture them); stdout by default. */
  destination?: DestinationStream;
  /** Human-readable lines for a developer's terminal; production keeps JSON. */
  pretty?: boolean;
}

/** pino-pretty is a development tool: a production install lacks it, and then lines stay JSON. */
function prettyPrinterInstalled(): boolean {
  try {
    import.meta.resolve("pino-pretty");
    return true;
  } catch {
    return false;
  }
}

export function createLogger(level: string, { destination, pretty = false }: LoggerOptions = {}): Logger {
  const options = {
    level,
    base: { service: "medical-backend" },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (destination) return pino(options, destination);
  if (pretty && prettyPrinterInstalled()) {
    return pino({
      ...options,
      transport: {
        target: "pino-pretty",
        options: { translateTime: "SYS:HH:MM:ss", ignore: "service,pid,hostname" },
      },
    });
  }
  return pino(options);
}
