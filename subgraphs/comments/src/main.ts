import { runService } from '@potluck/service';
import { startCommentsService } from './app.js';
import { loadConfig } from './config.js';

await runService(() => loadConfig(process.env), startCommentsService);
