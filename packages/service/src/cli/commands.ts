import { v7 as uuidv7 } from 'uuid';
import {
  appendToOutbox,
  brokerNames,
  countParked,
  discardParked,
  listParked,
  printable,
  requeueParked,
  type ConsumerQueues,
  type EventEnvelope,
  type EventMeta,
  type OutboxTransaction,
  type ParkedMessage,
} from '@potluck/messaging';

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

/** A page of rows after `afterId` in id order: the argument of a Prisma `findMany`. */
export interface ReplayPage {
  where: { id?: { gt: string } };
  orderBy: { id: 'asc' };
  take: number;
}

/** What the replay command needs of a subgraph's Prisma client. */
interface ReplayDatabase<Tx extends OutboxTransaction> {
  $transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  $disconnect(): Promise<void>;
}

/**
 * `npm run replay -w <service>`: re-emits every aggregate through the outbox as a snapshot at
 * its current version, a page at a time, keyed by id, then closes `database`. The running
 * service's relay publishes them. Consumers apply a snapshot only when it is newer than their
 * replica, so replaying is safe at any time and rebuilds a wiped replica.
 */
export async function runReplayCommand<Tx extends OutboxTransaction, Row extends { id: string }>(
  service: string,
  database: ReplayDatabase<Tx>,
  aggregate: {
    loadPage: (page: ReplayPage) => Promise<Row[]>;
    snapshot: (row: Row, meta: EventMeta) => EventEnvelope;
  },
): Promise<void> {
  try {
    const now = new Date();
    const count = await replayAll(aggregate.loadPage, (rows) =>
      database.$transaction(async (tx) => {
        for (const row of rows) await appendToOutbox(tx, aggregate.snapshot(row, { id: uuidv7(), occurredAt: now }));
      }),
    );
    console.log(`${service}: queued ${count} snapshot(s) in the outbox; the running service publishes them`);
  } finally {
    await database.$disconnect();
  }
}

/** Loads pages of `pageSize` rows in id order and hands each to `emit`; resolves with the count. */
async function replayAll<Row extends { id: string }>(
  loadPage: (page: ReplayPage) => Promise<Row[]>,
  emit: (rows: Row[]) => Promise<void>,
  pageSize = 500,
): Promise<number> {
  let afterId: string | undefined;
  let total = 0;
  for (;;) {
    const rows = await loadPage({
      where: afterId ? { id: { gt: afterId } } : {},
      orderBy: { id: 'asc' },
      take: pageSize,
    });
    if (rows.length === 0) return total;
    await emit(rows);
    total += rows.length;
    afterId = rows.at(-1)!.id;
  }
}

/**
 * `npm run parked -w <service> [-- --limit N | --requeue | --discard <messageId>]`: lists the
 * first N (50) parked messages with their reasons, or sends them all back, or deletes one.
 */
export async function runParkedCommand(
  service: string,
  config: { AMQP_URL: string; AMQP_PREFIX: string },
  argv: string[],
): Promise<void> {
  const { AMQP_URL: amqpUrl, AMQP_PREFIX: prefix } = config;
  const queues = brokerNames(prefix).queues(service);
  try {
    const discard = argv.indexOf('--discard');
    if (discard >= 0) await discardOne(argv[discard + 1], service, amqpUrl, queues);
    else if (argv.includes('--requeue')) await requeueAll(service, amqpUrl, queues);
    else await report(argv, service, amqpUrl, queues);
  } catch (error) {
    if ((error as { code?: number }).code !== 404) throw error;
    console.error(
      `${service}: there is no queue ${queues.parkingQueue} on this broker; check AMQP_URL and AMQP_PREFIX (now "${prefix}")`,
    );
    process.exitCode = 1;
  }
}

async function discardOne(messageId: string | undefined, service: string, amqpUrl: string, queues: ConsumerQueues) {
  if (!messageId || messageId.startsWith('--')) {
    console.error(`${service}: --discard needs the messageId of a parked message (the listing shows it)`);
    process.exitCode = 2;
    return;
  }
  const discarded = await discardParked(amqpUrl, queues, messageId);
  if (discarded === 0) {
    console.error(`${service}: no parked message ${messageId} in ${queues.parkingQueue}`);
    process.exitCode = 1;
    return;
  }
  const copies = discarded === 1 ? '' : ` (${discarded} copies)`;
  console.log(`${service}: discarded parked message ${messageId}${copies} from ${queues.parkingQueue}`);
}

async function requeueAll(service: string, amqpUrl: string, queues: ConsumerQueues) {
  const moved = await requeueParked(amqpUrl, queues);
  console.log(`${service}: moved ${moved} parked message(s) back to ${queues.workQueue}`);
}

const DEFAULT_LIST_LIMIT = 50;
const MAX_LIST_LIMIT = 10_000;
const BODY_BYTES_SHOWN = 500;

/** The `--limit N` argument: undefined when it is there but not a whole number from 1 to 10 000. */
function listLimit(argv: string[]): number | undefined {
  const at = argv.indexOf('--limit');
  if (at < 0) return DEFAULT_LIST_LIMIT;
  const value = argv[at + 1] ?? '';
  const limit = /^\d{1,5}$/.test(value) ? Number(value) : 0;
  return limit >= 1 && limit <= MAX_LIST_LIMIT ? limit : undefined;
}

/** Lists parked messages; everything they carry is passed through `printable`, as a publisher chose it. */
async function report(argv: string[], service: string, amqpUrl: string, queues: ConsumerQueues) {
  const limit = listLimit(argv);
  if (limit === undefined) {
    console.error(`${service}: --limit needs a whole number from 1 to ${MAX_LIST_LIMIT}`);
    process.exitCode = 2;
    return;
  }
  const total = await countParked(amqpUrl, queues);
  const parked = await listParked(amqpUrl, queues, { limit, maxBodyBytes: BODY_BYTES_SHOWN });
  console.log(`${service}: ${total} parked message(s) in ${queues.parkingQueue}`);
  for (const message of parked) console.log(describe(message));
  const more = total - parked.length;
  if (more > 0)
    console.log(`${service}: ${more} more not shown; --limit ${Math.min(total, MAX_LIST_LIMIT)} lists them`);
}

function describe(message: ParkedMessage): string {
  const { messageId, type, reason, error, parkedAt, attempts, publisher, body, bodyBytes } = message;
  const facts = printable(JSON.stringify({ messageId, type, reason, error, parkedAt, attempts, publisher }));
  const cut = bodyBytes > BODY_BYTES_SHOWN ? ` … (${bodyBytes} bytes in all)` : '';
  return `${facts}\n  body: ${printable(body)}${cut}`;
}
