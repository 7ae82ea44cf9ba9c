import { describe, expect, it } from 'vitest';
import { ContractViolation } from '@potluck/events';
import {
  PoisonMessage,
  classify,
  consumerTopology,
  exchangeName,
  publishBackoffMs,
  retryDelayMs,
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
        bindings: ['recipe.created'],
        deliveryLimit: 10,
      }),
    ).toEqual({
      exchange: 'potluck.recipes.events',
      workQueue: 'potluck.comments.work',
      retryQueue: 'potluck.comments.retry',
      parkingQueue: 'potluck.comments.parked',
      bindings: ['recipe.created'],
      deliveryLimit: 10,
    });
  });

  it('refuse a prefix that would make odd or clashing names', () => {
    expect(() => exchangeName('', 'recipes')).toThrow(/AMQP prefix/);
    expect(() => exchangeName('has space', 'recipes')).toThrow(/AMQP prefix "has space"/);
  });
});
