import { commandEnv, runParkedCommand } from '@potluck/service';
import { loadConfig } from '../config.js';

const config = loadConfig(commandEnv('recipes'));
await runParkedCommand({
  service: 'recipes',
  amqpUrl: config.AMQP_URL,
  prefix: config.AMQP_PREFIX,
  argv: process.argv.slice(2),
});
