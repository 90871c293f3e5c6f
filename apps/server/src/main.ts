import { appRouter, startAuditSealer, startNotificationConsumer, startReminderWorker } from "@medical/api";
import { DatabaseLockedError } from "@medical/db";
import { ConfigError, loadConfig } from "./config.ts";
import { openDatabase } from "./database.ts";
import { buildDeps } from "./deps.ts";
import { createLogger } from "./logger.ts";
import { createMetrics } from "./metrics/metrics.ts";
import { startServer } from "./server.ts";

/** Composition root: configuration, logger, database, server, audit sealer, notifications, reminders, signals. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, {
    pretty: config.env === "development" && process.stdout.isTTY,
  });
  const handle = await openDatabase(config, logger);
  await handle.migrate();

  const resources = await buildDeps(config, handle, logger);
  const { deps } = resources;
  const metrics =
    config.metrics && createMetrics({ config: config.metrics, router: appRouter, database: handle });
  const running = await startServer({ deps, config, router: appRouter, metrics });
  const sealer = startAuditSealer(deps, { intervalMs: config.auditSealIntervalMs });
  const notifications = startNotificationConsumer(deps);
  const reminders = startReminderWorker(deps);
  logger.info(
    {
      url: running.url,
      database: handle.kind,
      eventBus: config.eventBus.kind,
      docs: `${running.url}/docs`,
      metrics: running.metricsUrl,
    },
    `medical-backend listening on ${running.url} (API docs: ${running.url}/docs)`,
  );

  let exiting = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (exiting) return;
    exiting = true;
    logger.info({ signal }, "shutting down");
    try {
      await running.shutdown();
      // After the requests drain: the last passes notify and seal what they wrote.
      // The reminders' last pass first: the consumer's then words what it sent.
      await reminders.stop();
      await notifications.stop();
      await sealer.stop();
      await resources.close();
      await handle.close();
      logger.info("stopped");
      process.exit(0);
    } catch (error) {
      logger.error({ errorClass: error instanceof Error ? error.name : typeof error }, "shutdown failed");
      process.exit(1);
    }
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  // Configuration and lock problems are the operator's to fix: say what, without a stack.
  if (error instanceof ConfigError || error instanceof DatabaseLockedError) {
    process.stderr.write(`medical-backend cannot start: ${error.message}\n`);
  } else {
    process.stderr.write(
      `medical-backend failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
  }
  process.exit(1);
});
