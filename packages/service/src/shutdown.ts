import type { Logger } from './logger.js';

/**
 * Runs `shutdown` once on SIGTERM or SIGINT and exits 0 when it finishes, 1 when it
 * fails or takes longer than `timeoutMs`.
 */
export function onShutdownSignal(logger: Logger, timeoutMs: number, shutdown: () => Promise<void>): void {
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
export function exitOnStartupError(logger: Logger | undefined, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  if (logger) logger.fatal({ err: error }, 'failed to start');
  else process.stderr.write(`failed to start: ${message}\n`);
  process.exit(1);
}
