import { testAmqpUrl, testServerUrl } from '@potluck/testing';
import { stopService, type ServiceProcess } from '../../scripts/stack.js';
import { createWorkspace, type BenchWorkspace } from './gateways/benchStack.js';

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
