import net from 'node:net';
import { afterAll, expect, it, onTestFinished } from 'vitest';
import { createClient, CreateRecipeDocument, RecipesWithCommentsDocument } from '@potluck/client';
import { dropDatabase, withDatabase } from '@potluck/db';
import {
  deleteBrokerTopology,
  freePort,
  queryRows,
  randomName,
  testServerUrl,
  testIdentityProvider,
  uniqueAmqpPrefix,
  waitFor,
} from '@potluck/testing';
import { runNpmToEnd } from './npmCommand.js';
import { runNpmStart, stillRunning } from './npmStartProcess.js';
import { lockTable, type TableLock } from './tableLock.js';

const recipesUrl = withDatabase(testServerUrl(), randomName('potluck_test_start_recipes'));
const commentsUrl = withDatabase(testServerUrl(), randomName('potluck_test_start_comments'));
const amqpPrefix = uniqueAmqpPrefix();
const identities = testIdentityProvider();
const locks: TableLock[] = [];

afterAll(async () => {
  for (const lock of locks) await lock.release();
  await Promise.all([dropDatabase(recipesUrl), dropDatabase(commentsUrl)]);
  await deleteBrokerTopology(amqpPrefix);
  identities.remove();
});

async function freePorts() {
  const [gatewayPort, recipesPort, commentsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  return { GATEWAY_PORT: String(gatewayPort), RECIPES_PORT: String(recipesPort), COMMENTS_PORT: String(commentsPort) };
}

async function startOnFreePorts(env: Record<string, string> = {}, until?: string) {
  const ports = await freePorts();
  const stack = await runNpmStart(
    {
      RECIPES_DATABASE_URL: recipesUrl,
      COMMENTS_DATABASE_URL: commentsUrl,
      AMQP_PREFIX: amqpPrefix,
      AUTH_DEV_FILE: identities.devFile,
      ...ports,
      ...env,
    },
    until,
  );
  const gatewayPort = ports.GATEWAY_PORT;
  onTestFinished(() => stack.kill());
  const gatewayOrigin = `http://127.0.0.1:${gatewayPort}`;
  const client = createClient({ url: `${gatewayOrigin}/graphql`, headers: await identities.bearer() });
  return { ...stack, gatewayOrigin, client };
}

/** Locks the recipes table until the end of the test (the database outlives it). */
async function lockRecipesTable(): Promise<TableLock> {
  const lock = await lockTable(recipesUrl, 'recipes');
  locks.push(lock);
  onTestFinished(() => lock.release());
  return lock;
}

/** Sends each request once the previous one waits on the lock; resolves with their outcomes to come. */
async function sendWaitingOnLock(
  lock: TableLock,
  sends: Array<() => Promise<unknown>>,
): Promise<Array<Promise<string>>> {
  const outcomes: Array<Promise<string>> = [];
  for (const send of sends) {
    const before = await lock.waiters();
    outcomes.push(send().then(() => 'ok', describeFailure));
    await waitFor(async () => ((await lock.waiters()) > before ? true : undefined), {
      what: `request ${outcomes.length} to wait on the lock (${before} waiting before it)`,
    });
  }
  return outcomes;
}

function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Resolves once the gateway refuses connections: it is draining or gone. */
async function gatewayRefuses(gatewayOrigin: string): Promise<void> {
  await waitFor(
    () =>
      fetch(`${gatewayOrigin}/health/live`, { signal: AbortSignal.timeout(1000) }).then(
        () => undefined,
        () => true,
      ),
    { what: 'the gateway to refuse connections' },
  );
}

const logged = (lines: string[], service: RegExp, msg: string) =>
  lines.findIndex((line) => service.test(line) && line.includes(`"msg":"${msg}"`));

it('`npm start` serves through the gateway, and Ctrl-C stops the gateway before the subgraphs, finishing requests in flight', async () => {
  const stack = await startOnFreePorts();
  const { createRecipe } = await stack.client.request(CreateRecipeDocument, {
    input: { title: 'Started', timeMinutes: 5, price: '1' },
  });
  expect(createRecipe.title).toBe('Started');

  const lock = await lockRecipesTable();
  const outcomes = await sendWaitingOnLock(lock, [
    // After recipes answers, the gateway still needs comments for each recipe.
    ...[1, 2, 3].map((first) => () => stack.client.request(RecipesWithCommentsDocument, { first })),
    ...[1, 2].map(
      (n) => () =>
        stack.client.request(CreateRecipeDocument, { input: { title: `In flight ${n}`, timeMinutes: 5, price: '1' } }),
    ),
  ]);
  stack.ctrlC();
  await gatewayRefuses(stack.gatewayOrigin);
  await lock.release();

  expect(await Promise.all(outcomes)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  await stack.ended;
  // Printed only on the way to exit code 0 (npm itself then ends by the SIGINT its shell got).
  expect(stack.lines).toContain('all services stopped');
  for (const service of ['recipes', 'comments', 'gateway']) {
    expect(logged(stack.lines, new RegExp(`^\\[${service}\\]`), 'stopped')).toBeGreaterThan(-1);
  }
  const gatewayStopped = logged(stack.lines, /^\[gateway\]/, 'stopped');
  expect(logged(stack.lines, /^\[(recipes|comments)\]/, 'shutting down')).toBeGreaterThan(gatewayStopped);
  expect(stack.servicePids).toHaveLength(3);
  expect(stillRunning(stack.servicePids)).toEqual([]);
}, 120_000);

it('a second Ctrl-C while the gateway drains kills the services at once', async () => {
  const stack = await startOnFreePorts();
  const lock = await lockRecipesTable();
  await sendWaitingOnLock(lock, [() => stack.client.request(RecipesWithCommentsDocument, { first: 1 })]);

  stack.ctrlC();
  await gatewayRefuses(stack.gatewayOrigin);
  await new Promise((resolve) => setTimeout(resolve, 700)); // a person's second keypress, not the same one twice
  stack.ctrlC();
  // Well under the gateway's own drain bound (8 s), while the request still waits on the lock.
  await waitFor(() => (stillRunning(stack.servicePids).length === 0 ? true : undefined), {
    timeoutMs: 4000,
    what: 'the services to be killed',
  });
  await stack.ended;
  expect(stack.lines).toContain('SIGINT again: killing the services');
  expect(stack.lines).not.toContain('all services stopped');
  expect(stack.servicePids).toHaveLength(3);
}, 120_000);

it('takes one Ctrl-C that arrives twice at once (npm passing it on) as one: a graceful stop', async () => {
  const stack = await startOnFreePorts();
  stack.ctrlC();
  // npm relays the signal it got a moment later (back to back, the kernel would merge the two).
  await new Promise((resolve) => setTimeout(resolve, 50));
  stack.forwardCtrlC();
  await stack.ended;
  expect(stack.lines).toContain('all services stopped');
  expect(stack.lines.join('\n')).not.toContain('killing the services');
  expect(stillRunning(stack.servicePids)).toEqual([]);
}, 120_000);

it('keeps serving while RabbitMQ is unreachable, says what is degraded, and still stops cleanly', async () => {
  const nothingListens = await freePort();
  const stack = await startOnFreePorts(
    { AMQP_URL: `amqp://guest:guest@127.0.0.1:${nothingListens}` },
    'but is not fully ready',
  );
  expect(stack.lines.find((line) => line.includes('but is not fully ready'))).toMatch(
    /not fully ready: .*recipes.*degraded: .*broker/,
  );
  const { createRecipe } = await stack.client.request(CreateRecipeDocument, {
    input: { title: 'Written while the broker is away', timeMinutes: 5, price: '1' },
  });
  expect(createRecipe.id).toEqual(expect.any(String));

  stack.ctrlC();
  await stack.ended;
  expect(stack.lines).toContain('all services stopped');
  expect(stillRunning(stack.servicePids)).toEqual([]);
}, 120_000);

it('refuses ports already in use, naming them, before it touches a database', async () => {
  const squatter = net.createServer();
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
  const taken = (squatter.address() as net.AddressInfo).port;
  const untouched = withDatabase(testServerUrl(), randomName('potluck_test_start_untouched'));

  const { code, output } = await runNpmToEnd(['start'], {
    ...(await freePorts()),
    GATEWAY_PORT: String(taken),
    RECIPES_DATABASE_URL: untouched,
    COMMENTS_DATABASE_URL: untouched,
  });
  expect(code).toBe(1);
  expect(output).toContain(`port(s) already in use: GATEWAY_PORT=${taken}`);
  expect(output).not.toContain('Potluck is up');
  expect(
    await queryRows(testServerUrl(), 'SELECT 1 FROM pg_database WHERE datname = $1', [
      new URL(untouched).pathname.slice(1),
    ]),
  ).toEqual([]);
});

it('names every bad variable and exits 2, without a stack trace', async () => {
  const { code, output } = await runNpmToEnd(['start'], { GATEWAY_PORT: 'abc', LOG_LEVEL: 'loud' });
  expect(code).toBe(2);
  expect(output).toContain('npm start: invalid configuration');
  expect(output).toMatch(/GATEWAY_PORT/);
  expect(output).toMatch(/LOG_LEVEL/);
  expect(output).not.toMatch(/^\s+at /m);
});
