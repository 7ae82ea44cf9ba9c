import { commandEnv, runParkedCommand } from '@potluck/service';
import { loadConfig } from '../config.js';
import { BINDINGS, CONSUMES_FROM } from '../events.js';

const config = loadConfig(commandEnv('recipes'));
await runParkedCommand({
  service: 'recipes',
  consumesFrom: CONSUMES_FROM,
  bindings: BINDINGS,
  amqpUrl: config.AMQP_URL,
  prefix: config.AMQP_PREFIX,
  argv: process.argv.slice(2),
});
