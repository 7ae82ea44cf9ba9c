import { describe, expect, it } from 'vitest';
import { ContractViolation } from '@potluck/messaging';
import {
  PoisonMessage,
  brokerNames,
  classify,
  dispatchByType,
  dispatchInOrder,
  handledTypes,
  consumerTopology,
  exchangeName,
  publishBackoffMs,
  retryDelayMs,
  type ValidEvent,
} from '../src/index.js';

describe('classify', () => {
  it('parks contract violations and declared poison at once; other errors are transient or unknown', () => {
    expect(classify(new ContractViolation('bad'))).toBe('poison');
    expect(classify(new PoisonMessage('broken invariant'))).toBe('poison');
    expect(classify(Object.assign(new Error('could not serialize access'), { code: '40001' }))).toBe('transient');
    expect(classify('a string thrown by someone')).toBe('unknown');
  });
});

describe('delays', () => {
  it('double per attempt and stay under their caps', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, 1000))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(30, 1000)).toBe(60_000);
    expect([0, 1, 2].map(publishBackoffMs)).toEqual([500, 1000, 2000]);
    expect(publishBackoffMs(20)).toBe(30_000);
  });
});

describe('topology names', () => {
  it('derive every name from the prefix', () => {
    expect(
      consumerTopology({
        prefix: 'potluck',
        consumer: 'comments',
        producer: 'recipes',
        deliveryLimit: 10,
      }),
    ).toEqual({
      exchange: 'potluck.recipes.events',
      workQueue: 'potluck.comments.work',
      retryQueue: 'potluck.comments.retry',
      parkingQueue: 'potluck.comments.parked',
      deliveryLimit: 10,
    });
  });

  it('come from one function, for producers and consumers alike', () => {
    const names = brokerNames('team-a.potluck');
    expect(names.exchange('comments')).toBe('team-a.potluck.comments.events');
    expect(names.queues('recipes')).toEqual({
      workQueue: 'team-a.potluck.recipes.work',
      retryQueue: 'team-a.potluck.recipes.retry',
      parkingQueue: 'team-a.potluck.recipes.parked',
    });
    expect(() => brokerNames('-leading-dash')).toThrow(/AMQP prefix "-leading-dash"/);
  });

  it('refuse a prefix that would make odd or clashing names', () => {
    expect(() => exchangeName('', 'recipes')).toThrow(/AMQP prefix/);
    expect(() => exchangeName('has space', 'recipes')).toThrow(/AMQP prefix "has space"/);
  });
});

describe('handler maps', () => {
  it('bind the types they have handlers for, and pass each event to its own', async () => {
    const seen: string[] = [];
    const handlers = {
      'recipe.created': async (event: { type: string }) => void seen.push(`created ${event.type}`),
      'recipe.deleted': async (event: { type: string }) => void seen.push(`deleted ${event.type}`),
    };
    expect(handledTypes(handlers)).toEqual(['recipe.created', 'recipe.deleted']);
    const handle = dispatchByType(handlers);
    const event = (type: string) => ({ type }) as Parameters<typeof handle>[0];
    await handle(event('recipe.deleted'), undefined);
    await handle(event('recipe.created'), undefined);
    expect(seen).toEqual(['deleted recipe.deleted', 'created recipe.created']);
    await expect(handle(event('recipe.updated'), undefined)).rejects.toThrow(PoisonMessage);
  });

  it('give a batch handler each run of consecutive events it handles, keeping the order across handlers', async () => {
    const seen: string[] = [];
    const changed = {
      batch: async (events: Array<{ aggregateVersion: number }>) =>
        void seen.push(`changed ${events.map((e) => e.aggregateVersion).join(',')}`),
    };
    const handlers = {
      'recipe.created': changed,
      'recipe.updated': changed,
      'recipe.deleted': async (event: { aggregateVersion: number }) =>
        void seen.push(`deleted ${event.aggregateVersion}`),
    };
    const event = (type: string, aggregateVersion: number) => ({ type, aggregateVersion }) as ValidEvent;
    const inOrder = dispatchInOrder(handlers);

    await inOrder(
      [event('recipe.created', 1), event('recipe.updated', 2), event('recipe.deleted', 3), event('recipe.updated', 4)],
      undefined,
    );

    expect(seen).toEqual(['changed 1,2', 'deleted 3', 'changed 4']);
    await expect(inOrder([event('recipe.created', 1), event('comment.added', 1)], undefined)).rejects.toThrow(
      PoisonMessage,
    );
    expect(seen).toHaveLength(3);
  });
});
