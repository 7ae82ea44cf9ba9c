import net from 'node:net';
import { devAuth } from '@potluck/identity';
import { declareEventTopology } from '@potluck/messaging';
import { ConfigError, downChecksOf, type ReadinessReport } from '@potluck/service';
import { prepareDatabases } from './databases.js';
import { loadStackConfig } from './stackConfig.js';
import {
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
const config = loadConfigOrExit();

function loadConfigOrExit() {
  try {
    return loadStackConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`npm start: ${error.message}`);
    process.exit(2);
  }
}

let stopping = false;

const print = (name: ServiceName, line: string) => console.log(prefixedLine(name, line));

async function reportDatabases(): Promise<void> {
  for (const { name, database, created, applied } of await prepareDatabases(config)) {
    print(name, `database "${database}" ${created ? 'created' : 'found'}, ${applied.length} migration(s) applied`);
  }
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Refuses to start next to something else on our ports: its health routes would answer for us. */
async function checkPortsFree(): Promise<void> {
  const ports = {
    GATEWAY_PORT: config.GATEWAY_PORT,
    RECIPES_PORT: config.RECIPES_PORT,
    COMMENTS_PORT: config.COMMENTS_PORT,
  };
  const busy: string[] = [];
  for (const [name, port] of Object.entries(ports)) if (!(await isPortFree(port))) busy.push(`${name}=${port}`);
  if (busy.length > 0) {
    throw new Error(
      `port(s) already in use: ${busy.join(', ')} (another npm start?); choose others, e.g. GATEWAY_PORT=4100 RECIPES_PORT=4101 COMMENTS_PORT=4102 npm start`,
    );
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * Signals this close together are one Ctrl-C: the terminal signals this process, and npm
 * passes the same Ctrl-C on to its script, which is this process when the shell execs it.
 */
const SAME_KEYPRESS_MS = 500;
/** How long a serving stack may stay not ready (dependencies still connecting) before we say why. */
const NOT_READY_NOTICE_MS = 10_000;

/** What keeps the stack from being fully ready (not ready, or degraded), e.g. `recipes is degraded: broker (…)`. */
async function downChecks(readyUrl: string): Promise<string | undefined> {
  try {
    const response = await fetch(readyUrl, { signal: AbortSignal.timeout(3000) });
    const report = (await response.json()) as ReadinessReport;
    if (report.status === 'ready') return undefined;
    return downChecksOf(report) || `status ${response.status}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Says "up" once the gateway is ready. A stack that serves but is not ready (RabbitMQ down,
 * say) keeps running, as the services are built to: it says what is down and waits.
 */
async function announceWhenReady(): Promise<void> {
  const origin = `http://127.0.0.1:${config.GATEWAY_PORT}`;
  await waitForHttpOk(`${origin}/health/live`, 60_000);
  const startedWaiting = Date.now();
  let warned = false;
  while (!stopping) {
    const down = await downChecks(`${origin}/health/ready`);
    if (down === undefined) {
      console.log(`\nPotluck is up: http://localhost:${config.GATEWAY_PORT}/graphql (Ctrl-C stops everything)`);
      console.log(`${signInHint()}\n`);
      return;
    }
    if (!warned && Date.now() - startedWaiting > NOT_READY_NOTICE_MS) {
      warned = true;
      console.warn(
        `\nPotluck serves at http://localhost:${config.GATEWAY_PORT}/graphql but is not fully ready: ${down}. Waiting for it (Ctrl-C stops everything).\n`,
      );
    }
    // Each failing probe is a warn line in every service's log: ask rarely once we have said why.
    await sleep(warned ? 15_000 : 500);
  }
}

/**
 * Unless the gateway trusts a real identity provider, the stack signs in with the checkout's
 * development key, created here on first start (git-ignored) so every service finds the same.
 */
function usesDevelopmentKey(): boolean {
  return !process.env.AUTH_JWKS_URL && process.env.POTLUCK_MODE !== 'production';
}

function signInHint(): string {
  return usesDevelopmentKey()
    ? 'Sign in: pick a demo user in the IDE, or send -H "Authorization: Bearer $(npm run -s token -- --user ana)"'
    : `Sign in with a token from ${process.env.AUTH_ISSUER ?? 'your identity provider'}`;
}

/** How long `npm start` tries to declare the events topology before leaving it to the services. */
const DECLARE_TOPOLOGY_TIMEOUT_MS = 5000;

/**
 * The events exchanges and the consumers' queues and bindings, declared before the services
 * start as Compose's broker definitions declare them: each consumer binds at its first connect,
 * and no event is published before its consumer's queue exists. A broker that is not there yet
 * only delays that (each service declares its own once it connects); a queue left by an earlier
 * run with another EVENT_DELIVERY_LIMIT is reported here and in its service's readiness.
 */
async function declareTopology(): Promise<void> {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error('no answer')), DECLARE_TOPOLOGY_TIMEOUT_MS).unref(),
  );
  const { AMQP_URL, AMQP_PREFIX, EVENT_DELIVERY_LIMIT } = config;
  try {
    await Promise.race([declareEventTopology(AMQP_URL, AMQP_PREFIX, EVENT_DELIVERY_LIMIT), timeout]);
  } catch (error) {
    const reason = (error as Error).message;
    console.warn(
      `RabbitMQ: events topology not declared (${reason}); each service declares its own once connected and reports what it cannot`,
    );
  }
}

async function main(): Promise<void> {
  await checkPortsFree();
  if (usesDevelopmentKey()) console.log(`development keys: ${devAuth(process.env.AUTH_DEV_FILE || undefined).file}`);
  await reportDatabases();
  await declareTopology();
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
  await announceWhenReady();
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
    const outcomes = services.map((service, index) => `${service.name} ${codes[index] ?? service.child.signalCode}`);
    console.log(clean ? 'all services stopped' : `services stopped: ${outcomes.join(', ')}`);
    process.exit(clean ? exitCode : 1);
  };
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stopping) {
      firstSignalAt = Date.now();
      void stopAll(0);
    } else if (Date.now() - firstSignalAt > SAME_KEYPRESS_MS) {
      void killAll(services, `${signal} again`);
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  process.on('SIGQUIT', () => void killAll(services, 'SIGQUIT'));
  for (const service of services) {
    void service.exited.then((code) => {
      if (stopping) return;
      console.error(`${service.name} exited with ${code ?? service.child.signalCode}; stopping the others`);
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
