import { describe, expect, it } from 'vitest';
import { testAmqpUrl, waitFor } from '@potluck/testing';
import { countParked, listParked } from '../src/index.js';
import { useTestConsumer } from './consumerHarness.js';
import { recipeEvent } from './support.js';

const MAX_BODY_BYTES = 4096;
const consumer = useTestConsumer({
  maxAttempts: 3,
  retryBaseDelayMs: 50,
  retryMaxDelayMs: 200,
  maxBodyBytes: MAX_BODY_BYTES,
});

/** Makes the handler throw `error` for this event the first `times` deliveries; returns when each delivery came. */
function failFirst(eventId: string, times: number, error: () => unknown): number[] {
  const deliveries: number[] = [];
  consumer.behaviour = (event) => {
    if (event.id !== eventId) return;
    deliveries.push(performance.now());
    if (deliveries.length <= times) throw error();
  };
  return deliveries;
}

describe('a consumer given hostile headers', () => {
  it('retries a message with a garbage attempt count without resetting the connection, and its neighbour is applied', async () => {
    const event = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    const neighbour = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    failFirst(event.id, 2, () => new Error('a bug that goes away'));
    await consumer.run.publish(event.type, event, event.id, {
      headers: { 'x-potluck-attempts': 'abc', 'potluck-attempts': 'abc', 'potluck-retries': { nested: true } },
    });
    await consumer.run.publish(neighbour.type, neighbour, neighbour.id);

    await consumer.run.waitApplied(neighbour.id);
    await consumer.run.waitApplied(event.id);
    expect(consumer.run.connects).toBe(1);
    expect(await consumer.run.appliedCount(neighbour.id)).toBe(1);
    expect(await listParked(testAmqpUrl(), consumer.run.topology)).toEqual([]);
  });

  it('does not carry a forged x-death into the retry queue, where the broker would choke on it', async () => {
    const event = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    failFirst(event.id, 2, () => new Error('a bug that goes away'));
    const forged = [{ queue: consumer.run.topology.retryQueue, reason: 'expired', count: 'abc' }, 'junk'];
    await consumer.run.publish(event.type, event, event.id, { headers: { 'x-death': forged } });

    await consumer.run.waitApplied(event.id);
    expect(consumer.run.connects).toBe(1);
    expect(await listParked(testAmqpUrl(), consumer.run.topology)).toEqual([]);
  });

  it('moves a message whose headers the client library cannot write back, instead of holding it forever', async () => {
    const event = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    failFirst(event.id, 1, () => new Error('a bug that goes away'));
    // A double the broker accepts, decoded as a JavaScript number that amqplib's encoder takes for an int64.
    const odd = { weight: { '!': 'double', value: 2 ** 50 + 0.5 } };
    await consumer.run.publish(event.type, event, event.id, { headers: odd });

    await consumer.run.waitApplied(event.id);
    expect(consumer.run.connects).toBe(1);
  });
});

describe('a consumer facing failures', () => {
  it('retries a transient failure past the attempt limit, with a delay each time, and never parks it', async () => {
    const event = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const deliveries = failFirst(event.id, 6, refused);
    await consumer.run.publish(event.type, event, event.id);

    await consumer.run.waitApplied(event.id);
    expect(deliveries).toHaveLength(7);
    const gaps = deliveries.slice(1).map((at, index) => at - deliveries[index]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(40);
    expect(await listParked(testAmqpUrl(), consumer.run.topology)).toEqual([]);
  });

  it('parks a body over the size limit as too-large, unread, and keeps flowing', async () => {
    const huge = { type: 'recipe.created', padding: 'x'.repeat(MAX_BODY_BYTES) };
    await consumer.run.publish('recipe.created', huge);
    const after = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    await consumer.run.publish(after.type, after, after.id);

    await consumer.run.waitApplied(after.id);
    const [parked] = await waitFor(async () => {
      const messages = await listParked(testAmqpUrl(), consumer.run.topology);
      return messages.length === 1 ? messages : undefined;
    });
    expect(parked).toMatchObject({ reason: 'too-large', bodyBytes: JSON.stringify(huge).length });
    expect(parked?.error).toMatch(/over the limit of 4096/);
  });
});

describe('the parked listing', () => {
  it('reads at most the limit, cuts bodies short, and leaves every message parked in order', async () => {
    const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    for (const id of ids) await consumer.run.publish('recipe.created', `{not json ${'y'.repeat(100)}`, id);
    await waitFor(async () => ((await countParked(testAmqpUrl(), consumer.run.topology)) === 3 ? true : undefined), {
      what: 'three parked messages',
    });

    const listed = await listParked(testAmqpUrl(), consumer.run.topology, { limit: 2, maxBodyBytes: 10 });
    expect(listed.map((message) => message.messageId)).toEqual(ids.slice(0, 2));
    expect(listed.map((message) => [message.body, message.bodyBytes])).toEqual([
      ['{not json ', 110],
      ['{not json ', 110],
    ]);
    expect(await countParked(testAmqpUrl(), consumer.run.topology)).toBe(3);
    expect((await listParked(testAmqpUrl(), consumer.run.topology)).map((message) => message.messageId)).toEqual(ids);
  });
});
