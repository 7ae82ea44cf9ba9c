import { runService } from '@potluck/service';
import { startGateway } from './app.js';
import { loadConfig } from './config.js';

await runService(() => loadConfig(process.env), startGateway);
