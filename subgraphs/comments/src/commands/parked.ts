import { commandEnv, runParkedCommand } from '@potluck/service';
import { loadConfig } from '../config.js';

await runParkedCommand('comments', loadConfig(commandEnv('comments')), process.argv.slice(2));
