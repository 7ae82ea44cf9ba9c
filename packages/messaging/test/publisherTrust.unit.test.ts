import { describe, expect, it } from 'vitest';
import {
  amqpUser,
  brokerNames,
  brokerPermissions,
  checkPublisher,
  PUBLISHER_HEADER,
  publisherOf,
} from '../src/index.js';

describe('amqpUser', () => {
  it('reads the login from the URL as amqplib does: guest when the URL names no credentials', () => {
    expect(amqpUser('amqp://127.0.0.1:5672')).toBe('guest');
    expect(amqpUser('amqp://recipes:secret@rabbitmq:5672')).toBe('recipes');
    expect(amqpUser('amqps://svc%40potluck:pw@broker/vhost')).toBe('svc@potluck');
    expect(amqpUser('amqp://:only-a-password@broker')).toBe('');
  });
});

describe('publisherOf', () => {
  const login = 'comments';

  it('is the broker-validated user id of a message someone else published', () => {
    expect(publisherOf({ userId: 'recipes' }, login)).toBe('recipes');
    expect(publisherOf({ userId: 'mallory', headers: { [PUBLISHER_HEADER]: 'recipes' } }, login)).toBe('mallory');
  });

  it('believes the publisher header only on a copy published under the reader’s own login', () => {
    expect(publisherOf({ userId: login, headers: { [PUBLISHER_HEADER]: 'recipes' } }, login)).toBe('recipes');
    expect(publisherOf({ userId: login, headers: { [PUBLISHER_HEADER]: '' } }, login)).toBeUndefined();
    expect(publisherOf({ userId: login, headers: { [PUBLISHER_HEADER]: Buffer.from('recipes') } }, login)).toBe(login);
    expect(publisherOf({ userId: login }, login)).toBe(login);
  });

  it('is nobody without a user id', () => {
    expect(publisherOf({}, login)).toBeUndefined();
    expect(publisherOf({ userId: '', headers: { [PUBLISHER_HEADER]: 'recipes' } }, login)).toBeUndefined();
    expect(publisherOf({ userId: 42 }, login)).toBeUndefined();
  });
});

describe('checkPublisher', () => {
  const trust = { consumer: 'comments', login: 'comments', publishers: ['recipes'] };

  it('trusts only the configured publishers, saying why it refuses the rest', () => {
    expect(checkPublisher({ userId: 'recipes' }, trust)).toEqual({ trusted: true, publisher: 'recipes' });
    expect(checkPublisher({ userId: 'mallory' }, trust)).toEqual({
      trusted: false,
      publisher: 'mallory',
      reason: 'untrusted publisher: user_id "mallory" is not one of the publishers comments trusts (recipes)',
    });
    expect(checkPublisher({}, trust)).toEqual({
      trusted: false,
      publisher: undefined,
      reason: 'untrusted publisher: no user_id (comments applies only what recipes published)',
    });
  });

  it('does not trust its own login for itself, only for the publisher its copies name', () => {
    expect(checkPublisher({ userId: 'comments' }, trust).trusted).toBe(false);
    const copy = { userId: 'comments', headers: { [PUBLISHER_HEADER]: 'recipes' } };
    expect(checkPublisher(copy, trust)).toEqual({ trusted: true, publisher: 'recipes' });
  });
});

describe('brokerPermissions', () => {
  const names = brokerNames('potluck.demo');
  const comments = brokerPermissions('potluck.demo', 'comments', 'recipes');
  const matches = (pattern: string, name: string) => new RegExp(pattern).test(name);

  it('lets a service publish only to its own exchange (and its queues through the default exchange)', () => {
    const { workQueue } = names.queues('comments');
    for (const name of [names.exchange('comments'), workQueue, 'amq.default'])
      expect(matches(comments.write, name), name).toBe(true);
    for (const name of [names.exchange('recipes'), names.queues('recipes').workQueue, 'potluckXdemo.comments.events'])
      expect(matches(comments.write, name), name).toBe(false);
  });

  it('lets a service read only its own queues and the exchange it consumes, and configure nothing else', () => {
    // Configuring the exchange it consumes would let it delete it.
    expect(matches(comments.configure, names.exchange('recipes'))).toBe(false);
    expect(matches(comments.configure, names.exchange('comments'))).toBe(true);
    for (const name of Object.values(names.queues('comments'))) expect(matches(comments.read, name), name).toBe(true);
    expect(matches(comments.read, names.exchange('recipes'))).toBe(true);
    for (const name of [...Object.values(names.queues('recipes')), names.exchange('comments'), 'amq.default'])
      expect(matches(comments.read, name), name).toBe(false);
    expect(matches(comments.configure, names.queues('recipes').workQueue)).toBe(false);
    expect(matches(comments.configure, 'amq.default')).toBe(false);
  });
});
