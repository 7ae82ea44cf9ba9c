import { commandEnv, runParkedCommand } from '@potluck/service';
import { loadConfig } from '../config.js';

await runParkedCommand('recipes', loadConfig(commandEnv('recipes')), process.argv.slice(2));
