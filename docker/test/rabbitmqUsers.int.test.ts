import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import amqp from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { brokerNames, brokerPermissions, listParked, requeueParked } from '@potluck/messaging';
import { brokerAdmin, randomName, recipeEventFixture, uniqueAmqpPrefix, urlAs, waitFor } from '@potluck/testing';
import {
  openInboxDatabase,
  startTestConsumer,
  type InboxDatabase,
  type TestConsumer,
} from '../../packages/messaging/test/consumerHarness.js';
import { commitToOutbox, startTestRelay } from '../../packages/messaging/test/relayHarness.js';
import { environmentOf, loadCompose, REPO_ROOT } from './stackFiles.js';

/**
 * The broker users docker-compose.yml's RabbitMQ loads (docker/rabbitmq/definitions.sh), made
 * on this machine's broker under a prefix and user names of this run's own, then used by the
 * real relay, consumer and parked commands: what each service needs works, the rest is refused.
 */
interface Definitions {
  users: Array<{ name: string; password: string; tags: string[] }>;
  permissions: Array<{ user: string; vhost: string; configure: string; write: string; read: string }>;
}

const prefix = uniqueAmqpPrefix();
const names = brokerNames(prefix);
const secret = () => randomBytes(12).toString('hex');
const env = {
  AMQP_PREFIX: prefix,
  BROKER_ADMIN_USER: randomName('potluck-test-admin'),
  BROKER_ADMIN_PASSWORD: secret(),
  RECIPES_AMQP_PASSWORD: secret(),
  COMMENTS_AMQP_PASSWORD: secret(),
};
/** The compose user names, renamed for this run so no broker user is shared with anything else. */
const login = { recipes: randomName('potluck-test-recipes'), comments: randomName('potluck-test-comments') };

function generateDefinitions(vars: Record<string, string>): Definitions {
  const script = path.join(REPO_ROOT, 'docker/rabbitmq/definitions.sh');
  const env = { PATH: process.env.PATH, ...vars };
  return JSON.parse(execFileSync('sh', [script], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

const definitions = generateDefinitions(env);
const rename = (user: string) => login[user as keyof typeof login] ?? user;
const url = (user: keyof typeof login | 'admin') =>
  user === 'admin'
    ? urlAs(env.BROKER_ADMIN_USER, env.BROKER_ADMIN_PASSWORD)
    : urlAs(login[user], user === 'recipes' ? env.RECIPES_AMQP_PASSWORD : env.COMMENTS_AMQP_PASSWORD);

async function canLogIn(user: keyof typeof login | 'admin'): Promise<boolean> {
  try {
    await (await amqp.connect(url(user))).close();
    return true;
  } catch {
    return false;
  }
}

let database: InboxDatabase;
let run: TestConsumer | undefined;

beforeAll(async () => {
  database = await openInboxDatabase();
  const renamed = {
    ...definitions,
    users: definitions.users.map((user) => ({ ...user, name: rename(user.name) })),
    permissions: definitions.permissions.map((permission) => ({ ...permission, user: rename(permission.user) })),
  };
  await brokerAdmin.importDefinitions(renamed);
  // The import may finish asynchronously.
  await waitFor(async () => ((await canLogIn('comments')) && (await canLogIn('admin')) ? true : undefined), {
    what: 'the imported users',
  });
}, 60_000);

afterAll(async () => {
  for (const user of [env.BROKER_ADMIN_USER, login.recipes, login.comments])
    await brokerAdmin.deleteUser(user).catch(() => undefined);
  await database?.close();
}, 60_000);

afterEach(async () => {
  await run?.stop();
  run = undefined;
});

/** The comments consumer as compose runs it: logged in as comments, trusting recipes' login. */
async function startComments(behaviour: (eventId: string) => void = () => undefined) {
  run = await startTestConsumer(database, {
    behaviour: (event) => behaviour(event.id),
    brokerUrl: url('comments'),
    publishers: [login.recipes],
    prefix,
    maxAttempts: 2,
    retryBaseDelayMs: 50,
  });
  return run;
}

/** What the broker answers when `user` tries `attempt` on a channel of its own: 'ok', or the error. */
async function tryAs(user: 'recipes' | 'comments', attempt: (channel: amqp.ConfirmChannel) => Promise<unknown>) {
  const connection = await amqp.connect(url(user));
  connection.on('error', () => undefined);
  let refusal: unknown;
  try {
    const channel = await connection.createConfirmChannel();
    channel.on('error', (error: unknown) => (refusal = error));
    await attempt(channel);
    return 'ok';
  } catch (error) {
    return String(refusal ?? error);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

function publishTo(exchange: string) {
  return async (channel: amqp.ConfirmChannel) => {
    channel.publish(exchange, 'recipe.created', Buffer.from('{}'), { messageId: crypto.randomUUID() });
    await channel.waitForConfirms();
  };
}

describe('docker/rabbitmq/definitions.sh', () => {
  it('defines a management login and one user per service with exactly brokerPermissions, and no guest', () => {
    expect(definitions.users).toEqual([
      { name: env.BROKER_ADMIN_USER, password: env.BROKER_ADMIN_PASSWORD, tags: ['administrator'] },
      { name: 'recipes', password: env.RECIPES_AMQP_PASSWORD, tags: [] },
      { name: 'comments', password: env.COMMENTS_AMQP_PASSWORD, tags: [] },
    ]);
    expect(definitions.permissions).toEqual([
      { user: env.BROKER_ADMIN_USER, vhost: '/', configure: '.*', write: '.*', read: '.*' },
      { user: 'recipes', vhost: '/', ...brokerPermissions(prefix, 'recipes', 'comments') },
      { user: 'comments', vhost: '/', ...brokerPermissions(prefix, 'comments', 'recipes') },
    ]);
  });

  it('gives docker-compose.yml’s services the users they log in as, with its prefix', () => {
    const composed = environmentOf(loadCompose().services.rabbitmq!);
    const { users, permissions } = generateDefinitions(composed);
    expect(users.map(({ name, password }) => ({ name, password }))).toEqual([
      { name: composed.BROKER_ADMIN_USER, password: composed.BROKER_ADMIN_PASSWORD },
      { name: 'recipes', password: composed.RECIPES_AMQP_PASSWORD },
      { name: 'comments', password: composed.COMMENTS_AMQP_PASSWORD },
    ]);
    expect(permissions.slice(1)).toEqual([
      { user: 'recipes', vhost: '/', ...brokerPermissions('potluck', 'recipes', 'comments') },
      { user: 'comments', vhost: '/', ...brokerPermissions('potluck', 'comments', 'recipes') },
    ]);
  });

  it('refuses a missing password, one that would need escaping, and a service user as the admin', () => {
    const refused = (vars: Record<string, string>) => () => generateDefinitions({ ...env, ...vars });
    expect(refused({ RECIPES_AMQP_PASSWORD: '' })).toThrow();
    expect(refused({ COMMENTS_AMQP_PASSWORD: 'a"b' })).toThrow();
    expect(refused({ BROKER_ADMIN_USER: 'recipes' })).toThrow();
    expect(refused({ AMQP_PREFIX: 'a b' })).toThrow();
  });
});

describe('the compose broker users, on a real broker', () => {
  it('let the recipes relay publish and the comments consumer apply, retry and requeue, under their own logins', async () => {
    const event = recipeEventFixture('recipe.created', crypto.randomUUID(), 1);
    const { id } = event;
    let failures = 0;
    let healthy = false;
    await startComments((eventId) => {
      if (eventId !== id || healthy) return;
      failures += 1;
      throw new Error('not yet');
    });
    const relay = await startTestRelay({ databaseUrl: database.url, brokerUrl: url('recipes'), prefix });
    try {
      await commitToOutbox(database.pool, [event]);
      const parked = await waitFor(async () => (await listParked(url('comments'), run!.topology))[0], {
        what: 'the failing event parked',
      });
      expect(parked).toMatchObject({ messageId: id, reason: 'failed 2 times', publisher: login.recipes });
      healthy = true;
      expect(await requeueParked(url('comments'), run!.topology)).toBe(1);
      await run!.waitApplied(id);
    } finally {
      await relay.stop();
    }
    expect(failures).toBe(2);
  });

  it('refuse what is the other service’s: its exchange, its queues', async () => {
    await startComments();
    const recipesQueues = names.queues('recipes');
    expect(await tryAs('comments', publishTo(names.exchange('recipes')))).toMatch(/ACCESS_REFUSED/);
    expect(await tryAs('recipes', publishTo(names.exchange('comments')))).toMatch(/ACCESS_REFUSED/);
    expect(await tryAs('recipes', (channel) => channel.consume(run!.topology.workQueue, () => undefined))).toMatch(
      /ACCESS_REFUSED/,
    );
    expect(await tryAs('recipes', (channel) => channel.get(run!.topology.parkingQueue))).toMatch(/ACCESS_REFUSED/);
    expect(await tryAs('comments', (channel) => channel.assertQueue(recipesQueues.workQueue))).toMatch(
      /ACCESS_REFUSED/,
    );
    expect(await tryAs('comments', (channel) => channel.deleteQueue(recipesQueues.parkingQueue))).toMatch(
      /ACCESS_REFUSED/,
    );
  });

  it('keep the management login apart: an event it publishes is parked, never applied', async () => {
    await startComments();
    const event = recipeEventFixture('recipe.created', crypto.randomUUID(), 1);
    const connection = await amqp.connect(url('admin'));
    try {
      const channel = await connection.createConfirmChannel();
      const body = Buffer.from(JSON.stringify(event));
      channel.publish(names.exchange('recipes'), event.type, body, {
        messageId: event.id,
        userId: env.BROKER_ADMIN_USER,
      });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
    const parked = await waitFor(async () => (await listParked(url('comments'), run!.topology))[0], {
      what: 'the admin’s event parked',
    });
    expect(parked).toMatchObject({ messageId: event.id, reason: 'untrusted-publisher' });
    expect(await run!.appliedCount(event.id)).toBe(0);
  });
});
