import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { randomName, testAmqpUrl } from '@potluck/testing';
import type { BrokerPermissions } from '../src/index.js';

const run = promisify(execFile);

/**
 * rabbitmqctl on the test broker's node (this machine's, as `.ci/run` starts it); `stdin` is
 * what it reads for a `-` argument (it runs as the rabbitmq user, which cannot read our files).
 */
export async function rabbitmqctl(args: string[], stdin?: string): Promise<string> {
  const running = run('rabbitmqctl', ['-q', ...args], { timeout: 60_000 });
  running.child.stdin?.end(stdin);
  return (await running).stdout;
}

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
  await rabbitmqctl(['add_user', name, password]);
  const remove = async () => {
    await rabbitmqctl(['delete_user', name]).catch(() => undefined);
  };
  try {
    await rabbitmqctl(['set_permissions', '-p', '/', name, permissions.configure, permissions.write, permissions.read]);
  } catch (error) {
    await remove();
    throw error;
  }
  return { name, url: urlAs(name, password), remove };
}
