import { expect, it } from 'vitest';
import { brokerPermissions } from '@potluck/messaging';
import {
  brokerAdmin,
  createBrokerUser,
  declareEventExchanges,
  deleteBrokerTopology,
  uniqueAmqpPrefix,
  waitFor,
} from '@potluck/testing';
import { readinessOf, startRecipesForTest } from './harness.js';

interface Check {
  status: string;
  error?: string;
}

/** The service's RabbitMQ user granted for another prefix: what an `AMQP_PREFIX` changed on one side only looks like. */
it('says in its consumer and publisher checks that the broker refuses its RabbitMQ user, serving meanwhile, and is ready once granted', async () => {
  const prefix = uniqueAmqpPrefix();
  const user = await createBrokerUser('recipes', brokerPermissions(uniqueAmqpPrefix(), 'recipes', 'comments'));
  try {
    await declareEventExchanges(prefix);
    const service = await startRecipesForTest({}, { AMQP_URL: user.url, AMQP_PREFIX: prefix });
    try {
      const refused = await waitFor(
        async () => {
          const report = await readinessOf(service);
          const checks = report.body.checks as Record<string, Check>;
          return checks.consumer?.status === 'down' && checks.publisher?.status === 'down' ? report : undefined;
        },
        { timeoutMs: 20_000, what: 'the consumer and publisher checks to report the refusal' },
      );
      expect(refused.status).toBe(200);
      const { checks } = refused.body as { checks: Record<string, Check> };
      expect(refused.body.status).toBe('degraded');
      expect(checks.database?.status).toBe('up');
      expect(checks.broker?.status).toBe('up');
      const refusal = `the broker refused the RabbitMQ user ${user.name} (access to`;
      expect(checks.consumer?.error).toContain(`not consuming comments events: ${refusal}`);
      expect(checks.publisher?.error).toContain(`not publishing events: ${refusal}`);
      expect(checks.publisher?.error).toContain('docs/events.md#who-may-publish');

      await brokerAdmin.setPermissions(user.name, brokerPermissions(prefix, 'recipes', 'comments'));
      await waitFor(async () => ((await readinessOf(service)).body.status === 'ready' ? true : undefined), {
        timeoutMs: 30_000,
        what: 'ready once the permissions are granted',
      });
    } finally {
      await service.stop();
    }
  } finally {
    await user.remove();
    await deleteBrokerTopology(prefix);
  }
}, 60_000);
