import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BrokerPermissions } from '@potluck/messaging';
import { testAmqpUrl } from './broker.js';
import { randomName } from './databases.js';

const run = promisify(execFile);
const COMMAND_TIMEOUT_MS = 60_000;
const PROBE_TIMEOUT_MS = 20_000;
const HTTP_TIMEOUT_MS = 15_000;
const DEFAULT_MANAGEMENT_URL = 'http://127.0.0.1:15672';
const WAYS = ['rabbitmqctl', 'http'] as const;

/**
 * Administers the test broker (`TEST_AMQP_URL`), on its vhost `/`, for tests that need users of
 * their own. It goes through `rabbitmqctl` when that is on PATH and reaches the node (a broker
 * installed on this machine, as `.ci/run` starts it), otherwise through the management HTTP API
 * at `TEST_AMQP_MANAGEMENT_URL` as the test URL's user (`docker-compose.deps.yml`'s broker, where
 * the host has no `rabbitmqctl`). `TEST_BROKER_ADMIN=rabbitmqctl|http` forces one. The way is
 * chosen on first use, once per test file; when neither works every call fails saying what to
 * install or set.
 */
export interface BrokerAdmin {
  addUser(name: string, password: string): Promise<void>;
  setPermissions(name: string, permissions: BrokerPermissions): Promise<void>;
  deleteUser(name: string): Promise<void>;
  /** Loads a definitions document (users, permissions, …) as `rabbitmqctl import_definitions` does. */
  importDefinitions(definitions: object): Promise<void>;
}

/** rabbitmqctl, which as root runs as the rabbitmq user: it reads secrets from `stdin`, never our files. */
async function rabbitmqctl(args: string[], stdin = '', timeout = COMMAND_TIMEOUT_MS): Promise<string> {
  const running = run('rabbitmqctl', ['-q', ...args], { timeout });
  running.child.stdin?.end(stdin);
  return (await running).stdout;
}

const viaRabbitmqctl: BrokerAdmin = {
  async addUser(name, password) {
    await rabbitmqctl(['add_user', name], password);
  },
  async setPermissions(name, { configure, write, read }) {
    await rabbitmqctl(['set_permissions', '-p', '/', name, configure, write, read]);
  },
  async deleteUser(name) {
    await rabbitmqctl(['delete_user', name]);
  },
  async importDefinitions(definitions) {
    // 3.10's import_definitions cannot read stdin: a file the rabbitmq user may read, removed after.
    const scratch = mkdtempSync(path.join(tmpdir(), 'potluck-rabbitmq-'));
    try {
      const file = path.join(scratch, 'definitions.json');
      chmodSync(scratch, 0o755);
      writeFileSync(file, JSON.stringify(definitions), { mode: 0o644 });
      await rabbitmqctl(['import_definitions', file]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};

/** The management API at `base`, logged in as the test AMQP URL's user (guest/guest when it names none). */
function managementApi(base: string, amqpUrl: string) {
  const { username, password } = new URL(amqpUrl);
  const login = `${decodeURIComponent(username) || 'guest'}:${decodeURIComponent(password) || 'guest'}`;
  const authorization = `Basic ${Buffer.from(login).toString('base64')}`;
  const root = base.endsWith('/') ? base : `${base}/`;
  return async (method: string, resource: string, body?: unknown): Promise<void> => {
    const response = await fetch(new URL(`api/${resource}`, root), {
      method,
      headers: { authorization, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
    });
    if (!response.ok) {
      const detail = (await response.text()).slice(0, 300);
      throw new Error(`${method} ${new URL(`api/${resource}`, root)}: HTTP ${response.status} ${detail}`);
    }
  };
}

function viaHttp(call: ReturnType<typeof managementApi>): BrokerAdmin {
  const user = (name: string) => encodeURIComponent(name);
  return {
    addUser: (name, password) => call('PUT', `users/${user(name)}`, { password, tags: '' }),
    setPermissions: (name, { configure, write, read }) =>
      call('PUT', `permissions/%2F/${user(name)}`, { configure, write, read }),
    deleteUser: (name) => call('DELETE', `users/${user(name)}`),
    importDefinitions: (definitions) => call('POST', 'definitions', definitions),
  };
}

/** Why `attempt` failed, in one line, or undefined when it worked. */
async function failure(attempt: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await attempt();
    return undefined;
  } catch (error) {
    const { code, killed, stderr, cause } = error as {
      code?: string;
      killed?: boolean;
      stderr?: string;
      cause?: { message?: string };
    };
    if (code === 'ENOENT') return 'not on PATH';
    if (killed) return `no answer within ${PROBE_TIMEOUT_MS / 1000} s`;
    const reason = stderr?.trim() || [String(error), cause?.message].filter(Boolean).join(': ');
    return reason.replace(/\s+/g, ' ').slice(0, 300);
  }
}

/** The first way `TEST_BROKER_ADMIN` allows (both when unset) that reaches the broker, or an error naming the fix. */
async function chooseBrokerAdmin(env: NodeJS.ProcessEnv): Promise<BrokerAdmin> {
  const forced = env.TEST_BROKER_ADMIN || undefined;
  if (forced !== undefined && !WAYS.includes(forced as (typeof WAYS)[number]))
    throw new Error(`TEST_BROKER_ADMIN must be one of ${WAYS.join(', ')} (or unset), not "${forced}"`);
  const managementUrl = env.TEST_AMQP_MANAGEMENT_URL || DEFAULT_MANAGEMENT_URL;
  const reasons: string[] = [];
  if (forced !== 'http') {
    const why = await failure(() => rabbitmqctl(['ping'], '', PROBE_TIMEOUT_MS));
    if (why === undefined) return viaRabbitmqctl;
    reasons.push(`rabbitmqctl: ${why}`);
  }
  if (forced !== 'rabbitmqctl') {
    const call = managementApi(managementUrl, env.TEST_AMQP_URL || testAmqpUrl());
    const why = await failure(() => call('GET', 'whoami'));
    if (why === undefined) return viaHttp(call);
    reasons.push(`management API at ${managementUrl}: ${why}`);
  }
  throw new Error(
    [
      `Tests that create RabbitMQ users cannot administer the test broker (${forced ? `TEST_BROKER_ADMIN=${forced}` : 'tried both ways'}):`,
      ...reasons.map((reason) => `  - ${reason}`),
      'Either run them beside a local RabbitMQ node with rabbitmqctl on PATH (as root or the rabbitmq user),',
      'or enable the management plugin (`rabbitmq-plugins enable rabbitmq_management`; the rabbitmq:4-management',
      `image of docker-compose.deps.yml has it) and set TEST_AMQP_MANAGEMENT_URL if it is not ${DEFAULT_MANAGEMENT_URL};`,
      'the user of TEST_AMQP_URL must be an administrator. See docs/configuration.md#tests.',
    ].join('\n'),
  );
}

let chosen: Promise<BrokerAdmin> | undefined;
const admin = () => (chosen ??= chooseBrokerAdmin(process.env));

/** The test broker's administration, through whichever way `chooseBrokerAdmin` picked (see `BrokerAdmin`). */
export const brokerAdmin: BrokerAdmin = {
  addUser: async (name, password) => (await admin()).addUser(name, password),
  setPermissions: async (name, permissions) => (await admin()).setPermissions(name, permissions),
  deleteUser: async (name) => (await admin()).deleteUser(name),
  importDefinitions: async (definitions) => (await admin()).importDefinitions(definitions),
};

/** A RabbitMQ login of a test's own, on the test broker's vhost. */
export interface BrokerUser {
  name: string;
  /** The test broker's URL, logged in as this user. */
  url: string;
  remove(): Promise<void>;
}

/** `url` logged in as `name` with `password` instead of its own user. */
export function urlAs(name: string, password: string, url = testAmqpUrl()): string {
  return Object.assign(new URL(url), { username: encodeURIComponent(name), password }).toString();
}

/**
 * Creates a throwaway RabbitMQ user (a unique name starting with `role`) with these
 * permissions on the vhost `/`; `remove` deletes it. The caller removes it in afterAll.
 */
export async function createBrokerUser(role: string, permissions: BrokerPermissions): Promise<BrokerUser> {
  const name = randomName(`potluck-test-${role}`);
  const password = randomBytes(12).toString('hex');
  await brokerAdmin.addUser(name, password);
  const remove = async () => {
    await brokerAdmin.deleteUser(name).catch(() => undefined);
  };
  try {
    await brokerAdmin.setPermissions(name, permissions);
  } catch (error) {
    await remove();
    throw error;
  }
  return { name, url: urlAs(name, password), remove };
}
