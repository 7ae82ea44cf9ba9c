import { createHash } from 'node:crypto';
import { testAmqpUrl, waitFor } from '@potluck/testing';
import { countParked, listParked } from '../../src/index.js';
import type { InboxDatabase, TestConsumer } from '../consumerHarness.js';
import type { Planned } from './planBatch.js';

/** How long one batch may take to settle; a normal one takes well under a second. */
const SETTLE_MS = 6_000;
const EXPECTED_LOGS = new Set([
  'parking message',
  'could not encode a copy of the message',
  'handler failed; retrying later',
]);

/** One batch's consumer, and what the test saw of it. */
export interface BatchRun {
  inbox: TestConsumer;
  database: InboxDatabase;
  /** What the broker and the consumer logged, at warn and above. */
  logs: Array<{ msg: string; err?: { message?: string } }>;
  /** Unhandled rejections and uncaught exceptions in the process while the batch ran. */
  unhandled: readonly string[];
}

/** Publishes what amqplib can encode (a header table over its 64 KiB buffer never reaches the broker). */
export async function publishBatch(run: BatchRun, planned: Planned[]): Promise<Planned[]> {
  const published: Planned[] = [];
  for (const message of planned) {
    try {
      run.inbox.test.channel.publish(run.inbox.topology.exchange, message.routingKey, message.content, message.options);
      published.push(message);
    } catch (error) {
      if (!/exceeds the \d+ byte encoding buffer/.test(String(error))) throw error;
    }
  }
  await run.inbox.test.channel.waitForConfirms();
  return published;
}

const bodyKey = (bytes: number, body: string) => `${bytes}:${createHash('sha256').update(body).digest('hex')}`;

/** Matches each published message with where it ended up; describes every message that is not where it should be. */
async function misplaced(run: BatchRun, published: Planned[]): Promise<string[]> {
  const applied = await run.database.appliedCounts(published.flatMap(({ expected }) => expected.applied ?? []));
  const parked = new Map<string, string[]>();
  const listing = await listParked(testAmqpUrl(), run.inbox.topology, {
    limit: published.length + 10,
    maxBodyBytes: 1 << 17,
  });
  for (const message of listing) {
    const key = bodyKey(message.bodyBytes, message.body);
    parked.set(key, [...(parked.get(key) ?? []), message.reason]);
  }
  const problems = published.flatMap(({ label, content: bytes, expected }, index) => {
    const times = expected.applied ? (applied.get(expected.applied) ?? 0) : 0;
    const reason = times === 0 ? parked.get(bodyKey(bytes.length, bytes.toString('utf8')))?.shift() : undefined;
    const fine = reason === undefined ? times === 1 && expected.applied : expected.parked?.test(reason);
    if (fine) return [];
    const wanted = [expected.applied && 'applied once', expected.parked && `parked ${expected.parked}`];
    const got = `${reason === undefined ? 'not parked' : `parked "${reason}"`}, applied ${times}x`;
    return [`#${index} ${label}: wanted ${wanted.filter(Boolean).join(' or ')}, got ${got}`];
  });
  const extra = [...parked.values()].flat().map((reason) => `a parked message nobody expected: ${reason}`);
  return [...problems, ...extra];
}

async function allAccountedFor(run: BatchRun, published: Planned[]): Promise<boolean> {
  const applied = await run.database.appliedCounts(published.flatMap(({ expected }) => expected.applied ?? []));
  const parked = await countParked(testAmqpUrl(), run.inbox.topology);
  return [...applied.values()].reduce((sum, n) => sum + n, parked) >= published.length;
}

/** Waits for every message to be applied or parked; once something went wrong, only briefly, for the rest to land. */
async function settle(run: BatchRun, published: Planned[]): Promise<void> {
  let wrongSince: number | undefined;
  const wrong = () =>
    run.unhandled.length > 0 || run.inbox.connects > 1 || run.logs.some(({ msg }) => !EXPECTED_LOGS.has(msg));
  const probe = async () => {
    if (await allAccountedFor(run, published)) return true;
    wrongSince ??= wrong() ? Date.now() : undefined;
    return wrongSince !== undefined && Date.now() - wrongSince > 500 ? true : undefined;
  };
  await waitFor(probe, { timeoutMs: SETTLE_MS, what: 'every message applied or parked' }).catch(() => undefined);
}

/** Everything an operator would notice about one batch, once it has settled or its deadline has passed. */
export async function observeBatch(run: BatchRun, published: Planned[]) {
  await settle(run, published);
  const [work, retry] = await Promise.all(
    [run.inbox.topology.workQueue, run.inbox.topology.retryQueue].map(
      async (queue) => (await run.inbox.test.channel.checkQueue(queue)).messageCount,
    ),
  );
  return {
    misplaced: await misplaced(run, published),
    unexpectedLogs: run.logs
      .filter(({ msg }) => !EXPECTED_LOGS.has(msg))
      .map(({ msg, err }) => `${msg}: ${err?.message}`),
    unhandled: [...run.unhandled],
    connects: run.inbox.connects,
    running: run.inbox.consumer.running,
    queued: { work, retry },
  };
}
