import { consumerTopology, listParked, requeueParked } from '@potluck/messaging';
import type { EventType } from '@potluck/events';

/** Defaults that match `npm start`, so the commands work on a local stack without any variables. */
export function commandEnv(service: string): Record<string, string | undefined> {
  return {
    DATABASE_URL: `postgresql://postgres@127.0.0.1:5432/${service}`,
    AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
    ...process.env,
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
  if (options.argv.includes('--requeue')) {
    const moved = await requeueParked(options.amqpUrl, topology);
    console.log(`${options.service}: moved ${moved} parked message(s) back to ${topology.workQueue}`);
    return;
  }
  const parked = await listParked(options.amqpUrl, topology);
  console.log(`${options.service}: ${parked.length} parked message(s) in ${topology.parkingQueue}`);
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
