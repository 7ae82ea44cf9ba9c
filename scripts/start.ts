import path from 'node:path';
import { ensureDatabase, migrate } from '@potluck/db';
import { loadStackConfig } from './stackConfig.js';
import {
  REPO_ROOT,
  SERVICES,
  prefixedLine,
  spawnService,
  stopService,
  waitForHttpOk,
  type ServiceProcess,
} from './stack.js';

/**
 * `npm start`: the whole stack on a machine that already runs Postgres (and RabbitMQ):
 * creates the databases when missing, applies migrations, runs the three services with
 * prefixed logs, and stops them all cleanly on Ctrl-C.
 */
const config = loadStackConfig(process.env);

const print = (name: Parameters<typeof prefixedLine>[0], line: string) => console.log(prefixedLine(name, line));

async function prepareDatabases(): Promise<void> {
  for (const [name, url, service] of [
    ['recipes', config.RECIPES_DATABASE_URL, SERVICES.recipes],
    ['comments', config.COMMENTS_DATABASE_URL, SERVICES.comments],
  ] as const) {
    const created = await ensureDatabase(url);
    const { applied } = await migrate(url, path.join(REPO_ROOT, service.migrations));
    const database = new URL(url).pathname.slice(1);
    print(name, `database "${database}" ${created ? 'created' : 'found'}, ${applied.length} migration(s) applied`);
  }
}

async function main(): Promise<void> {
  await prepareDatabases();
  const shared = {
    AMQP_URL: config.AMQP_URL,
    AMQP_PREFIX: config.AMQP_PREFIX,
    LOG_LEVEL: config.LOG_LEVEL,
    MIGRATE_ON_START: 'false',
    HOST: '127.0.0.1',
  };
  const recipesUrl = `http://127.0.0.1:${config.RECIPES_PORT}/graphql`;
  const commentsUrl = `http://127.0.0.1:${config.COMMENTS_PORT}/graphql`;
  const services: ServiceProcess[] = [
    spawnService(
      'recipes',
      { ...shared, PORT: String(config.RECIPES_PORT), DATABASE_URL: config.RECIPES_DATABASE_URL },
      print,
    ),
    spawnService(
      'comments',
      { ...shared, PORT: String(config.COMMENTS_PORT), DATABASE_URL: config.COMMENTS_DATABASE_URL },
      print,
    ),
    spawnService(
      'gateway',
      { ...shared, PORT: String(config.GATEWAY_PORT), RECIPES_URL: recipesUrl, COMMENTS_URL: commentsUrl },
      print,
    ),
  ];
  let stopping = false;
  const stopAll = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    const codes = await Promise.all(services.map((service) => stopService(service)));
    const clean = codes.every((code) => code === 0);
    console.log(clean ? 'all services stopped' : `services stopped with exit codes ${codes.join(', ')}`);
    process.exit(clean ? exitCode : 1);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  for (const service of services) {
    void service.exited.then((code) => {
      if (stopping) return;
      console.error(`${service.name} exited with code ${code}; stopping the others`);
      void stopAll(1);
    });
  }
  await waitForHttpOk(`http://127.0.0.1:${config.GATEWAY_PORT}/health/ready`, 60_000);
  console.log(`\nPotluck is up: http://localhost:${config.GATEWAY_PORT}/graphql (Ctrl-C stops everything)\n`);
}

main().catch((error: unknown) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
