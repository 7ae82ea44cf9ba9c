import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ValidEvent } from '@potluck/messaging';
import { PoisonMessage } from '../src/index.js';
import { openInboxDatabase, startTestConsumer, type InboxDatabase } from './consumerHarness.js';
import { MAX_BODY_BYTES, verdictOf } from './fuzz/expectedFate.js';
import { batch } from './fuzz/hostileMessages.js';
import { observeBatch, publishBatch, type BatchRun } from './fuzz/observeBatch.js';
import { plan } from './fuzz/planBatch.js';

/**
 * Batches of hostile messages (odd bodies, odd headers and properties) around a few valid
 * events, published to a fresh consumer per batch. Whatever arrives, the consumer keeps its
 * one connection and channel, logs nothing but parking, retries and re-encoding, and every
 * message ends up once somewhere: applied if it is a valid event its handler accepts, parked
 * with the reason an operator would expect otherwise. Seeded (FUZZ_SEED) and bounded
 * (FUZZ_RUNS batches), so a failure replays exactly (FUZZ_SEED and FUZZ_PATH from its report).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_214);
const RUNS = Number(process.env.FUZZ_RUNS ?? 15);
/** A failure's `path`, to replay just that counterexample. */
const PATH = process.env.FUZZ_PATH;

let database: InboxDatabase;
const unhandled: string[] = [];
const noteUnhandled = (error: unknown) => unhandled.push(String(error));
/** Handler calls per event id, for events whose title asks to fail twice. */
const calls = new Map<string, number>();
/** The batch being run: the time limit can end `fc.assert` while one is still cleaning up. */
let inFlight: Promise<void> | undefined;

beforeAll(async () => {
  database = await openInboxDatabase();
  process.on('unhandledRejection', noteUnhandled);
  process.on('uncaughtException', noteUnhandled);
});

afterAll(async () => {
  await inFlight?.catch(() => undefined);
  process.off('unhandledRejection', noteUnhandled);
  process.off('uncaughtException', noteUnhandled);
  await database.close();
});

/** What the handler does before recording an event as applied: what the event's title asks for. */
function behaviour(event: ValidEvent): void {
  const call = (calls.get(event.id) ?? 0) + 1;
  calls.set(event.id, call);
  const verdict = verdictOf(event);
  if (verdict === 'poison') throw new PoisonMessage('the recipe breaks an invariant');
  if (verdict === 'fail-always' || (verdict === 'fail-twice' && call <= 2)) throw new Error(`a bug (call ${call})`);
}

/** A consumer on its own broker prefix, like a service would start it, removed with all it declared afterwards. */
async function withConsumer(work: (run: BatchRun) => Promise<void>): Promise<void> {
  const logs: BatchRun['logs'] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const inbox = await startTestConsumer(database, {
    behaviour,
    logger,
    maxAttempts: 3,
    retryBaseDelayMs: 20,
    retryMaxDelayMs: 100,
    maxBodyBytes: MAX_BODY_BYTES,
  });
  try {
    await work({ inbox, database, logs, unhandled });
  } finally {
    await inbox.stop();
  }
}

describe('a consumer given generated hostile messages', () => {
  it(
    'keeps its connection, applies every valid event once and parks the rest with a reason',
    { timeout: 120_000 },
    async () => {
      const property = fc.asyncProperty(batch, async (generated) => {
        unhandled.length = 0;
        inFlight = withConsumer(async (run) => {
          const published = await publishBatch(run, plan(generated, run.inbox.topology));
          expect(await observeBatch(run, published)).toEqual({
            misplaced: [],
            unexpectedLogs: [],
            unhandled: [],
            connects: 1,
            running: true,
            queued: { work: 0, retry: 0 },
          });
        });
        await inFlight;
      });
      const plugins = [fc.interruptAfterTimeLimit(45_000, { failOnInterrupt: true })];
      await fc.assert(property, {
        seed: SEED,
        numRuns: RUNS,
        plugins,
        ...(PATH && { path: PATH, endOnFailure: true }),
      });
    },
  );
});
