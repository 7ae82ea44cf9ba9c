import amqp from 'amqplib';
import { brokerNames } from '@potluck/messaging';
import { testAmqpUrl, waitFor } from '@potluck/testing';
import type { ServiceName } from '../scripts/stack.js';
import { jsonLines } from './gatewayHelpers.js';
import type { TestStack } from './stack.js';

export { queryRows, type Row } from '@potluck/testing';

/** Waits until the gateway reports `ready`, which needs every subgraph ready (broker, consumer, outbox), not degraded. */
export async function waitForGatewayReady(stack: TestStack, timeoutMs = 60_000): Promise<void> {
  const readyUrl = stack.gatewayUrl.replace(/\/graphql$/, '/health/ready');
  const status = async () =>
    ((await (await fetch(readyUrl, { signal: AbortSignal.timeout(2000) })).json()) as { status?: string }).status;
  await waitFor(async () => ((await status()) === 'ready' ? true : undefined), {
    timeoutMs,
    intervalMs: 200,
    what: 'the gateway to be ready',
  });
}

/** Waits for the service's current process to end and says how: `SIGKILL`, `SIGTERM` or `exit <code>`. */
export async function howItEnded(stack: TestStack, name: ServiceName, timeoutMs = 30_000): Promise<string> {
  const { child } = stack.service(name);
  return waitFor(() => child.signalCode ?? (child.exitCode === null ? undefined : `exit ${child.exitCode}`), {
    timeoutMs,
    intervalMs: 100,
    what: `${name} to end`,
  });
}

/** The JSON log entries a service printed (all its processes so far). */
export function logEntries(stack: TestStack, name: ServiceName): Array<Record<string, unknown>> {
  const prefix = `[${name}] `;
  return jsonLines(stack.logs.filter((line) => line.startsWith(prefix)));
}

/**
 * What a service's consumer did with one message, in order, read from its log ("event
 * consumed" with outcome `applied` or `duplicate`, logged at info).
 */
export function consumedOutcomes(stack: TestStack, name: ServiceName, eventId: string): string[] {
  return logEntries(stack, name)
    .filter((entry) => entry.msg === 'event consumed' && entry.eventId === eventId)
    .map((entry) => String(entry.outcome));
}

/** How many messages wait in these services' parking queues (for the stack's broker prefix). */
export async function parkedCount(
  stack: Pick<TestStack, 'amqpPrefix'>,
  services: ServiceName[] = ['recipes', 'comments'],
): Promise<number> {
  const connection = await amqp.connect(testAmqpUrl());
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createChannel();
    const names = brokerNames(stack.amqpPrefix);
    let total = 0;
    for (const service of services) {
      total += (await channel.checkQueue(names.queues(service).parkingQueue)).messageCount;
    }
    return total;
  } finally {
    await connection.close().catch(() => undefined);
  }
}
