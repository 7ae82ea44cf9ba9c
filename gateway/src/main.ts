import { exitOnStartupError, onShutdownSignal } from '@potluck/service';
import { startGateway } from './app.js';
import { loadConfig } from './config.js';

try {
  const config = loadConfig(process.env);
  const gateway = await startGateway(config);
  onShutdownSignal(gateway.logger, config.SHUTDOWN_TIMEOUT_MS, () => gateway.stop());
} catch (error) {
  exitOnStartupError(undefined, error);
}
