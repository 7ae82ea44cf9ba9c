import { exitOnStartupError, onShutdownSignal } from '@potluck/service';
import { startCommentsService } from './app.js';
import { loadConfig } from './config.js';

try {
  const config = loadConfig(process.env);
  const service = await startCommentsService(config);
  onShutdownSignal(service.logger, config.SHUTDOWN_TIMEOUT_MS, () => service.stop());
} catch (error) {
  exitOnStartupError(undefined, error);
}
