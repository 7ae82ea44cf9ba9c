import { describe, expect, it } from 'vitest';
import {
  CONSUMED_BY,
  EVENT_TYPES,
  eventTopologyDefinitions,
  PRODUCER_OF,
  producerFor,
  type EventConsumer,
} from '../src/index.js';

const consumers = Object.keys(CONSUMED_BY) as EventConsumer[];

describe('what each service consumes (CONSUMED_BY)', () => {
  it('is one other service’s types, each consumed somewhere', () => {
    for (const consumer of consumers) {
      const producers = new Set(CONSUMED_BY[consumer].map((type) => PRODUCER_OF[type]));
      expect([...producers]).toEqual([producerFor(consumer)]);
      expect(producerFor(consumer)).not.toBe(consumer);
    }
    expect(new Set(consumers.flatMap((consumer) => CONSUMED_BY[consumer]))).toEqual(new Set(EVENT_TYPES));
  });
});

describe('eventTopologyDefinitions', () => {
  const definitions = eventTopologyDefinitions('potluck', 7);

  it('declares each producer’s exchange and each consumer’s three queues, the work queue with the delivery limit', () => {
    expect(definitions.exchanges.map(({ name }) => name)).toEqual([
      'potluck.recipes.events',
      'potluck.comments.events',
    ]);
    expect(definitions.queues.map(({ name }) => name).sort()).toEqual(
      ['comments', 'recipes'].flatMap((service) => ['parked', 'retry', 'work'].map((q) => `potluck.${service}.${q}`)),
    );
    const work = definitions.queues.find(({ name }) => name === 'potluck.comments.work');
    expect(work).toMatchObject({
      durable: true,
      auto_delete: false,
      arguments: {
        'x-queue-type': 'quorum',
        'x-delivery-limit': 7,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': 'potluck.comments.parked',
      },
    });
  });

  it('binds each work queue to exactly the types its service consumes, on their producer’s exchange', () => {
    const bound = (queue: string) =>
      definitions.bindings.filter(({ destination }) => destination === queue).map(({ routing_key }) => routing_key);
    expect(bound('potluck.comments.work')).toEqual(CONSUMED_BY.comments);
    expect(bound('potluck.recipes.work')).toEqual(CONSUMED_BY.recipes);
    for (const binding of definitions.bindings) {
      expect(binding.source).toBe(`potluck.${PRODUCER_OF[binding.routing_key as keyof typeof PRODUCER_OF]}.events`);
    }
  });
});
