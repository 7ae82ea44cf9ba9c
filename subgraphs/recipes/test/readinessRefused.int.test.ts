import { expect, it } from 'vitest';
import { brokerNames, brokerPermissions, declareEventTopology, DEFAULT_DELIVERY_LIMIT } from '@potluck/messaging';
import {
  brokerAdmin,
  createBrokerUser,
  deleteBrokerTopology,
  testAmqpUrl,
  uniqueAmqpPrefix,
  waitFor,
  waitingIn,
} from '@potluck/testing';
import { readinessOf, startRecipesForTest } from './harness.js';
import { createRecipe } from './recipeApi.js';

interface Check {
  status: string;
  error?: string;
}

/** The service's RabbitMQ user granted for another prefix: what an `AMQP_PREFIX` changed on one side only looks like. */
it('says in its consumer and publisher checks that the broker refuses its RabbitMQ user, takes writes meanwhile (their events wait in the outbox), and sends them once granted', async () => {
  const prefix = uniqueAmqpPrefix();
  const user = await createBrokerUser('recipes', brokerPermissions(uniqueAmqpPrefix(), 'recipes', 'comments'));
  try {
    // As a deployment's definitions do: the exchanges, and comments' queue that keeps recipes' events.
    await declareEventTopology(testAmqpUrl(), prefix, DEFAULT_DELIVERY_LIMIT);
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
      // RabbitMQ 4 names the kind of access ("configure access to …"), 3.10 does not.
      const refusal = "the broker refused this service's RabbitMQ user \\((?:\\w+ )?access to";
      const prefixed = prefix.replaceAll('.', '\\.');
      expect(checks.consumer?.error).toMatch(
        new RegExp(`^not consuming comments events: ${refusal} queue '${prefixed}\\.recipes\\.`),
      );
      expect(checks.publisher?.error).toMatch(
        new RegExp(`^not publishing events: ${refusal} exchange '${prefixed}\\.recipes\\.events'`),
      );
      expect(checks.publisher?.error).toContain('docs/events.md#who-may-publish');
      expect(JSON.stringify(refused.body)).not.toContain(user.name);

      const recipe = await createRecipe(service.url);
      const outbox = () =>
        service.prisma.$queryRaw<Array<{ count: bigint }>>`SELECT count(*) FROM outbox WHERE sent_at IS NULL`;
      expect((await outbox())[0]!.count).toBe(1n);

      await brokerAdmin.setPermissions(user.name, brokerPermissions(prefix, 'recipes', 'comments'));
      await waitFor(async () => ((await readinessOf(service)).body.status === 'ready' ? true : undefined), {
        timeoutMs: 30_000,
        what: 'ready once the permissions are granted',
      });
      await waitFor(async () => ((await outbox())[0]!.count === 0n ? true : undefined), {
        what: `the event of recipe ${recipe.id} sent`,
      });
      expect(await waitingIn(brokerNames(prefix).queues('comments').workQueue)).toBe(1);
    } finally {
      await service.stop();
    }
  } finally {
    await user.remove();
    await deleteBrokerTopology(prefix);
  }
}, 60_000);
