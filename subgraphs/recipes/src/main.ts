import { runService } from '@potluck/service';
import { startRecipesService } from './app.js';
import { loadConfig } from './config.js';

await runService(() => loadConfig(process.env), startRecipesService);
