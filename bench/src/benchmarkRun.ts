import { testAmqpUrl, testServerUrl } from '@potluck/testing';
import { spawnService, stopService, waitForReady, type ServiceName, type ServiceProcess } from '../../scripts/stack.js';
import { createWorkspace, type BenchWorkspace } from './gateways/benchStack.js';
import { AS_DEPLOYED } from './gateways/processes.js';

/**
 * Runs one benchmark over a throwaway workspace (databases, broker prefix, signing keys) and
 * the services `start` spawns in it: `measure` gets them, and whatever happens the services
 * are stopped and the workspace removed. A failure is printed and the process exits 1.
 */
export async function runInWorkspace<Stack extends { services: ServiceProcess[] }>(
  start: (workspace: BenchWorkspace) => Promise<Stack>,
  measure: (stack: Stack) => Promise<void>,
): Promise<void> {
  try {
    const workspace = await createWorkspace({ DATABASE_SERVER_URL: testServerUrl(), AMQP_URL: testAmqpUrl() });
    let stack: Stack | undefined;
    try {
      stack = await start(workspace);
      await measure(stack);
    } finally {
      await Promise.all((stack?.services ?? []).map((service) => stopService(service)));
      await workspace.cleanUp();
    }
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
}

/**
 * What a benchmark gives a service of its workspace: `AS_DEPLOYED`, 127.0.0.1 and `port`, warn logs, the
 * workspace's broker prefix and signing keys, (a subgraph) its database without migrating it
 * again (the workspace applied the migrations), then `extra`.
 */
export function benchServiceEnv(
  workspace: BenchWorkspace,
  name: ServiceName,
  port: number,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...AS_DEPLOYED,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    AMQP_URL: testAmqpUrl(),
    AMQP_PREFIX: workspace.amqpPrefix,
    MIGRATE_ON_START: 'false',
    ...(name === 'gateway' ? {} : { DATABASE_URL: workspace.databases[name] }),
    ...workspace.auth.env,
    ...extra,
  };
}

/** Spawns `name` with `benchServiceEnv`, its log lines on stderr behind its name. */
export function spawnBenchService(
  workspace: BenchWorkspace,
  name: ServiceName,
  port: number,
  extra: Record<string, string> = {},
): ServiceProcess {
  const print = (label: string, line: string) => process.stderr.write(`[${label}] ${line}\n`);
  return spawnService(name, benchServiceEnv(workspace, name, port, extra), print);
}

/** Waits, one after the other, until the service on each port answers `ready`. */
export async function waitUntilReady(ports: number[]): Promise<void> {
  for (const port of ports) await waitForReady(`http://127.0.0.1:${port}/health/ready`, 60_000);
}
