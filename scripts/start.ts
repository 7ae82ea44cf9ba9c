import path from 'node:path';
import { ensureDatabase, migrate } from '@potluck/db';
import { loadStackConfig } from './stackConfig.js';
import {
  REPO_ROOT,
  SERVICES,
  hasExited,
  prefixedLine,
  spawnService,
  stopInOrder,
  waitForHttpOk,
  type ServiceName,
  type ServiceProcess,
} from './stack.js';

/**
 * `npm start`: the whole stack on a machine that already runs Postgres (and RabbitMQ):
 * creates the databases when missing, applies migrations, runs the three services with
 * prefixed logs, and stops them all cleanly on Ctrl-C: the gateway first, then the subgraphs.
 */
const config = loadStackConfig(process.env);

let stopping = false;

const print = (name: ServiceName, line: string) => console.log(prefixedLine(name, line));

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
  const run = (name: ServiceName, env: Record<string, string>) =>
    spawnService(name, { ...shared, ...env }, print, { detached: true });
  const services: ServiceProcess[] = [
    run('recipes', { PORT: String(config.RECIPES_PORT), DATABASE_URL: config.RECIPES_DATABASE_URL }),
    run('comments', { PORT: String(config.COMMENTS_PORT), DATABASE_URL: config.COMMENTS_DATABASE_URL }),
    run('gateway', { PORT: String(config.GATEWAY_PORT), RECIPES_URL: recipesUrl, COMMENTS_URL: commentsUrl }),
  ];
  superviseUntilStopped(services);
  await waitForHttpOk(`http://127.0.0.1:${config.GATEWAY_PORT}/health/ready`, 60_000);
  console.log(`\nPotluck is up: http://localhost:${config.GATEWAY_PORT}/graphql (Ctrl-C stops everything)\n`);
}

/**
 * The services run in their own process groups, so the terminal's Ctrl-C reaches only this
 * process. A first signal stops them in order; a second one, or Ctrl-\ (SIGQUIT), kills
 * them; whatever else ends this process (an error, `process.exit`) kills any still running.
 */
function superviseUntilStopped(services: ServiceProcess[]): void {
  process.on('exit', () => killRunning(services));
  const stopAll = async (exitCode: number) => {
    stopping = true;
    const codes = await stopInOrder(services);
    const clean = codes.every((code) => code === 0);
    console.log(clean ? 'all services stopped' : `services stopped with exit codes ${codes.join(', ')}`);
    process.exit(clean ? exitCode : 1);
  };
  const onSignal = (signal: NodeJS.Signals) => void (stopping ? killAll(services, `${signal} again`) : stopAll(0));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  process.on('SIGQUIT', () => void killAll(services, 'SIGQUIT'));
  for (const service of services) {
    void service.exited.then((code) => {
      if (stopping) return;
      console.error(`${service.name} exited with code ${code}; stopping the others`);
      void stopAll(1);
    });
  }
}

function killRunning(services: ServiceProcess[]): void {
  for (const service of services) if (!hasExited(service)) service.child.kill('SIGKILL');
}

async function killAll(services: ServiceProcess[], reason: string): Promise<never> {
  stopping = true;
  console.error(`${reason}: killing the services`);
  killRunning(services);
  await Promise.all(services.map((service) => service.exited));
  process.exit(1);
}

main().catch((error: unknown) => {
  if (stopping) return;
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
