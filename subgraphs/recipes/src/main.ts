import { exitOnStartupError, onShutdownSignal } from '@potluck/service';
import { startRecipesService } from './app.js';
import { loadConfig } from './config.js';

try {
  const config = loadConfig(process.env);
  const service = await startRecipesService(config);
  onShutdownSignal(service.logger, config.SHUTDOWN_TIMEOUT_MS, () => service.stop());
} catch (error) {
  exitOnStartupError(undefined, error);
}
