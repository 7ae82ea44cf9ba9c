import type { Logger } from '../logger.js';

/**
 * Runs `shutdown` once on SIGTERM or SIGINT and exits 0 when it finishes, 1 when it
 * fails or takes longer than `timeoutMs`.
 */
function onShutdownSignal(logger: Logger, timeoutMs: number, shutdown: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    shutdown().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}

/** Prints a start-up failure (such as a bad variable) plainly and exits 1. */
function exitOnStartupError(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`failed to start: ${message}\n`);
  process.exit(1);
}

/** What a process's entry point starts: a service that logs and can stop. */
interface StoppableService {
  logger: Logger;
  stop(): Promise<void>;
}

/**
 * A process's entry point: loads its config, starts the service, and stops it on SIGTERM or
 * SIGINT within `SHUTDOWN_TIMEOUT_MS`. A bad variable or a failed start is printed and exits 1.
 */
export async function runService<Config extends { SHUTDOWN_TIMEOUT_MS: number }>(
  loadConfig: () => Config,
  start: (config: Config) => Promise<StoppableService>,
): Promise<void> {
  try {
    const config = loadConfig();
    const service = await start(config);
    onShutdownSignal(service.logger, config.SHUTDOWN_TIMEOUT_MS, () => service.stop());
  } catch (error) {
    exitOnStartupError(error);
  }
}
