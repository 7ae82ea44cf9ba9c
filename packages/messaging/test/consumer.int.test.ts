import { describe, expect, it } from 'vitest';
import { testAmqpUrl, waitFor } from '@potluck/testing';
import { listParked, requeueParked } from '../src/index.js';
import { useTestConsumer } from './consumerHarness.js';
import { recipeEvent } from './support.js';

const consumer = useTestConsumer({ maxAttempts: 3, retryBaseDelayMs: 50 });

describe('inbox consumer', () => {
  it('applies a message delivered twice only once', async () => {
    const event = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    await consumer.run.publish(event.type, event, event.id);
    await consumer.run.publish(event.type, event, event.id);
    const marker = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    await consumer.run.publish(marker.type, marker, marker.id);

    await consumer.run.waitApplied(marker.id);
    expect(await consumer.run.appliedCount(event.id)).toBe(1);
    const { rows } = await consumer.database.pool.query('SELECT count(*)::int AS n FROM inbox WHERE message_id = $1', [
      event.id,
    ]);
    expect(rows[0].n).toBe(1);
  });

  it('parks bad JSON, unknown types and contract violations with a reason, and keeps flowing', async () => {
    await consumer.run.publish('recipe.created', '{not json');
    await consumer.run.publish('recipe.updated', {
      ...recipeEvent('recipe.updated', crypto.randomUUID(), 1),
      type: 'recipe.exploded',
    });
    const broken = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    await consumer.run.publish('recipe.created', {
      ...broken,
      data: { ...(broken.data as object), price: 'free' },
    });
    const good = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    await consumer.run.publish(good.type, good, good.id);

    await consumer.run.waitApplied(good.id);
    const parked = await waitFor(
      async () => {
        const messages = await listParked(testAmqpUrl(), consumer.run.topology);
        return messages.length === 3 ? messages : undefined;
      },
      { what: 'three parked messages' },
    );
    expect(parked.map((message) => message.reason)).toEqual(['malformed-json', 'unknown-type', 'contract-violation']);
    expect(parked[2]?.error).toMatch(/price/);
    expect(await consumer.run.appliedCount(broken.id)).toBe(0);
  });

  it('retries a handler that fails transiently, then applies the message once', async () => {
    const event = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    let failures = 0;
    consumer.behaviour = (current) => {
      if (current.id === event.id && failures < 2) {
        failures += 1;
        throw new Error('database hiccup');
      }
    };
    await consumer.run.publish(event.type, event, event.id);
    await consumer.run.waitApplied(event.id);
    expect(failures).toBe(2);
    expect(await consumer.run.appliedCount(event.id)).toBe(1);
    expect(await listParked(testAmqpUrl(), consumer.run.topology)).toEqual([]);
  });

  it('parks a message whose handler always fails after the attempt limit, with its last error; requeue replays it', async () => {
    const event = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    let calls = 0;
    let healthy = false;
    consumer.behaviour = (current) => {
      if (current.id !== event.id || healthy) return;
      calls += 1;
      throw new Error(`broken invariant #${calls}`);
    };
    await consumer.run.publish(event.type, event, event.id);
    const [parked] = await waitFor(
      async () => {
        const messages = await listParked(testAmqpUrl(), consumer.run.topology);
        return messages.length === 1 ? messages : undefined;
      },
      { what: 'the failing message to be parked' },
    );
    expect(calls).toBe(3);
    expect(parked).toMatchObject({ messageId: event.id, reason: 'failed 3 times', attempts: 3 });
    expect(parked?.error).toMatch(/broken invariant #3/);
    expect(await consumer.run.appliedCount(event.id)).toBe(0);

    healthy = true;
    expect(await requeueParked(testAmqpUrl(), consumer.run.topology)).toBe(1);
    await consumer.run.waitApplied(event.id);
    expect(await listParked(testAmqpUrl(), consumer.run.topology)).toEqual([]);
  });
});
