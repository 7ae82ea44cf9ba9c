import { afterAll, expect, it } from 'vitest';
import { declareEventExchanges, deleteBrokerTopology, uniqueAmqpPrefix, waitFor } from '@potluck/testing';
import { readinessOf, useRecipesForTest } from './harness.js';

// A prefix of the test's own, so the harness does not declare the events exchanges: on a fresh
// broker without definitions, comments has not started yet.
const prefix = uniqueAmqpPrefix();
const service = useRecipesForTest({}, { AMQP_PREFIX: prefix });
afterAll(() => deleteBrokerTopology(prefix));

const readiness = () => readinessOf(service);

it('serves while it waits for the comments exchange, its consumer down saying why, and consumes once comments declares it', async () => {
  // Connecting to the broker takes a moment; then it finds the exchange missing.
  const waiting = await waitFor(async () => {
    const report = await readiness();
    return (report.body.checks as { broker: { status: string } }).broker.status === 'up' ? report : undefined;
  });
  expect(waiting.status).toBe(200);
  expect(waiting.body).toMatchObject({
    status: 'degraded',
    checks: {
      database: { status: 'up' },
      broker: { status: 'up' },
      consumer: {
        status: 'down',
        error: `not consuming comments events: the exchange ${prefix}.comments.events does not exist yet (its producer declares it)`,
      },
    },
  });

  await declareEventExchanges(prefix);
  const ready = await waitFor(async () => {
    const report = await readiness();
    return report.body.status === 'ready' ? report : undefined;
  });
  expect(ready.body).toMatchObject({ checks: { consumer: { status: 'up' } } });
});
