import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ValidEvent } from '@potluck/messaging';
import { waitFor } from '@potluck/testing';
import { PoisonMessage, type MessagingObserver } from '../src/index.js';
import { openInboxDatabase, startTestConsumer, type InboxDatabase } from './consumerHarness.js';
import { commitToOutbox, startTestRelay } from './relayHarness.js';
import { recipeEvent } from './support.js';

/** Every report, in order, as `what type detail`. */
function recordingObserver() {
  const reports: string[] = [];
  const observer: MessagingObserver = {
    published: (type) => void reports.push(`published ${type}`),
    publishFailed: (type, unroutable) => void reports.push(`publishFailed ${type} ${unroutable}`),
    consumed: (event, outcome) => void reports.push(`consumed ${event.type} ${outcome} ${event.id}`),
    retried: (type, kind) => void reports.push(`retried ${type} ${kind}`),
    parked: (type, reason) => void reports.push(`parked ${String(type)} ${reason}`),
  };
  return { reports, observer };
}

const reported = (reports: string[], count: number) =>
  waitFor(() => (reports.length >= count ? [...reports] : undefined), { what: `${count} reports` });

let database: InboxDatabase;

beforeAll(async () => {
  database = await openInboxDatabase();
});

afterAll(() => database.close());

describe('the consumer tells its observer what became of each message', () => {
  it('applied, duplicate, parked with its reason, retried and then parked after its attempts', async () => {
    const { reports, observer } = recordingObserver();
    const failing = recipeEvent('recipe.updated', crypto.randomUUID(), 2);
    const poison = recipeEvent('recipe.updated', crypto.randomUUID(), 2);
    const behaviour = (event: ValidEvent) => {
      if (event.id === poison.id) throw new PoisonMessage('breaks an invariant');
      if (event.id === failing.id) throw new Error('keeps failing');
    };
    const run = await startTestConsumer(database, { behaviour, observer, maxAttempts: 2, retryBaseDelayMs: 20 });
    try {
      const event = recipeEvent('recipe.created', crypto.randomUUID(), 1);
      await run.publish(event.type, event, event.id);
      expect(await reported(reports, 1)).toEqual([`consumed recipe.created applied ${event.id}`]);
      await run.publish(event.type, event, event.id);
      expect((await reported(reports, 2))[1]).toBe(`consumed recipe.created duplicate ${event.id}`);

      await run.publish('recipe.created', '{not json', undefined, { type: 'made.up' });
      expect((await reported(reports, 3))[2]).toBe('parked made.up malformed-json');
      await run.publish(poison.type, poison, poison.id);
      expect((await reported(reports, 4))[3]).toBe('parked recipe.updated poison');
      await run.publish(failing.type, failing, failing.id);
      expect((await reported(reports, 6)).slice(4)).toEqual([
        'retried recipe.updated unknown',
        'parked recipe.updated max-attempts',
      ]);
    } finally {
      await run.stop();
    }
  });
});

describe('the relay tells its observer of each confirmed and each failed publish', () => {
  it('published per event once a queue takes them, publishFailed (unroutable) while none does', async () => {
    const { reports, observer } = recordingObserver();
    const run = await startTestRelay({ databaseUrl: database.url, observer, pollIntervalMs: 100 });
    try {
      const lost = recipeEvent('recipe.created', crypto.randomUUID(), 1);
      await commitToOutbox(database.pool, [lost]);
      expect((await reported(reports, 1))[0]).toBe('publishFailed recipe.created true');

      await run.receive();
      const events = [
        recipeEvent('recipe.updated', crypto.randomUUID(), 2),
        recipeEvent('recipe.deleted', crypto.randomUUID(), 3),
      ];
      await commitToOutbox(database.pool, events);
      const seen = await waitFor(
        () => (reports.filter((line) => line.startsWith('published')).length === 3 ? reports : undefined),
        { what: 'three events published', timeoutMs: 5000 },
      );
      expect(seen.filter((line) => line.startsWith('published')).sort()).toEqual([
        'published recipe.created',
        'published recipe.deleted',
        'published recipe.updated',
      ]);
    } finally {
      await run.stop();
      await database.pool.query('DELETE FROM outbox');
    }
  });
});
