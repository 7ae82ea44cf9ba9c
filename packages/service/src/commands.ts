import { consumerTopology, discardParked, listParked, requeueParked, type ConsumerTopology } from '@potluck/messaging';
import type { EventType } from '@potluck/events';

/**
 * Defaults that match `npm start`, so the commands work on a local stack without any
 * variables: `DATABASE_URL`, else `npm start`'s `<SERVICE>_DATABASE_URL`, else localhost.
 */
export function commandEnv(service: string): Record<string, string | undefined> {
  const stackDatabaseUrl = process.env[`${service.toUpperCase()}_DATABASE_URL`];
  return {
    AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
    ...process.env,
    DATABASE_URL: process.env.DATABASE_URL ?? stackDatabaseUrl ?? `postgresql://postgres@127.0.0.1:5432/${service}`,
  };
}

/**
 * Re-emits every aggregate through the outbox in pages of `pageSize`, keyed by id; the
 * running service's relay publishes them. Consumers apply a snapshot only when it is newer
 * than their replica, so replaying is safe at any time and rebuilds a wiped replica.
 */
export async function replayAll<Row extends { id: string }>(
  loadPage: (afterId: string | undefined, pageSize: number) => Promise<Row[]>,
  emit: (rows: Row[]) => Promise<void>,
  pageSize = 500,
): Promise<number> {
  let afterId: string | undefined;
  let total = 0;
  for (;;) {
    const rows = await loadPage(afterId, pageSize);
    if (rows.length === 0) return total;
    await emit(rows);
    total += rows.length;
    afterId = rows.at(-1)!.id;
  }
}

/** `npm run parked -w <service> [-- --requeue]`: lists parked messages with reasons, or sends them back. */
export async function runParkedCommand(options: {
  service: string;
  consumesFrom: string;
  bindings: readonly EventType[];
  amqpUrl: string;
  prefix: string;
  argv: string[];
}): Promise<void> {
  const topology = consumerTopology({
    prefix: options.prefix,
    consumer: options.service,
    producer: options.consumesFrom,
    bindings: options.bindings,
    deliveryLimit: 1,
  });
  try {
    const discard = options.argv.indexOf('--discard');
    if (discard >= 0) await discardOne(options.argv[discard + 1], options.service, options.amqpUrl, topology);
    else await reportOrRequeue(options.argv.includes('--requeue'), options.service, options.amqpUrl, topology);
  } catch (error) {
    if ((error as { code?: number }).code !== 404) throw error;
    console.error(
      `${options.service}: there is no queue ${topology.parkingQueue} on this broker; check AMQP_URL and AMQP_PREFIX (now "${options.prefix}")`,
    );
    process.exitCode = 1;
  }
}

async function discardOne(messageId: string | undefined, service: string, amqpUrl: string, topology: ConsumerTopology) {
  if (!messageId || messageId.startsWith('--')) {
    console.error(`${service}: --discard needs the messageId of a parked message (the listing shows it)`);
    process.exitCode = 2;
    return;
  }
  const discarded = await discardParked(amqpUrl, topology, messageId);
  if (discarded === 0) {
    console.error(`${service}: no parked message ${messageId} in ${topology.parkingQueue}`);
    process.exitCode = 1;
    return;
  }
  const copies = discarded === 1 ? '' : ` (${discarded} copies)`;
  console.log(`${service}: discarded parked message ${messageId}${copies} from ${topology.parkingQueue}`);
}

async function reportOrRequeue(requeue: boolean, service: string, amqpUrl: string, topology: ConsumerTopology) {
  if (requeue) {
    const moved = await requeueParked(amqpUrl, topology);
    console.log(`${service}: moved ${moved} parked message(s) back to ${topology.workQueue}`);
    return;
  }
  const parked = await listParked(amqpUrl, topology);
  console.log(`${service}: ${parked.length} parked message(s) in ${topology.parkingQueue}`);
  for (const message of parked) {
    console.log(
      JSON.stringify({
        messageId: message.messageId,
        type: message.type,
        reason: message.reason,
        error: message.error,
        parkedAt: message.parkedAt,
        attempts: message.attempts,
      }),
    );
    console.log(`  body: ${message.body.slice(0, 500)}`);
  }
}
