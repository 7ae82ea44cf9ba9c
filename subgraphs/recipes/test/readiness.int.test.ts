import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { recipeEventFixture, waitFor } from '@potluck/testing';
import { readinessOf, useRecipesForTest } from './harness.js';

const MAX_AGE_MS = 1000;
const service = useRecipesForTest({}, { OUTBOX_MAX_AGE_MS: String(MAX_AGE_MS) });

const readiness = () => readinessOf(service);

it('reports its database, broker, consumer, publisher and outbox, with the outbox backlog and age', async () => {
  const ready = await waitFor(async () => {
    const report = await readiness();
    return report.body.status === 'ready' ? report : undefined;
  });
  expect(ready.body).toMatchObject({
    status: 'ready',
    checks: {
      database: { status: 'up' },
      broker: { status: 'up' },
      consumer: { status: 'up' },
      publisher: { status: 'up' },
      outbox: { status: 'up', backlog: 0, oldestAgeMs: 0, maxAgeMs: MAX_AGE_MS },
    },
  });
});

it('is degraded (still ready for traffic) while an unsent event is older than OUTBOX_MAX_AGE_MS, and ready once it is gone', async () => {
  const event = recipeEventFixture('recipe.created', randomUUID(), 1);
  // Held back (not due for an hour) and created 5 s ago: the relay leaves it, its age counts.
  await service.prisma.$executeRaw`
    INSERT INTO outbox (id, type, aggregate_id, aggregate_version, payload, created_at, next_attempt_at)
    VALUES (${event.id}::uuid, ${event.type}, ${event.aggregateId}::uuid, 1, ${JSON.stringify(event)}::jsonb,
            now() - interval '5 seconds', now() + interval '1 hour')`;

  const stale = await readiness();
  expect(stale.status).toBe(200);
  expect(stale.body).toMatchObject({
    status: 'degraded',
    checks: { database: { status: 'up' }, broker: { status: 'up' }, consumer: { status: 'up' } },
  });
  expect(stale.body.checks).toMatchObject({
    outbox: {
      status: 'down',
      error: expect.stringMatching(/^oldest of 1 unsent events is \d+ ms old \(bound 1000 ms\)$/),
    },
  });

  await service.prisma.$executeRaw`DELETE FROM outbox WHERE id = ${event.id}::uuid`;
  expect((await readiness()).body.status).toBe('ready');
});
