import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseEnv } from '../src/config/config.js';
import { trustedPublishers } from '@potluck/messaging';
import { eventSyncEnv } from '../src/subgraph/eventSyncConfig.js';

const schema = z.object(eventSyncEnv);
const load = (env: Record<string, string>) => parseEnv(schema, { AMQP_URL: 'amqp://recipes:pw@rabbitmq:5672', ...env });

describe('EVENT_PUBLISHERS', () => {
  it('defaults to the service’s own broker login, which on one shared login is also the producer’s', () => {
    expect(trustedPublishers(load({}))).toEqual(['recipes']);
    expect(trustedPublishers(load({ AMQP_URL: 'amqp://127.0.0.1:5672' }))).toEqual(['guest']);
  });

  it('names the producer’s logins when each service has its own', () => {
    expect(trustedPublishers(load({ EVENT_PUBLISHERS: 'comments' }))).toEqual(['comments']);
    expect(trustedPublishers(load({ EVENT_PUBLISHERS: ' comments, comments-canary ,' }))).toEqual([
      'comments',
      'comments-canary',
    ]);
  });

  it('refuses a list that names nobody, which would park every event', () => {
    expect(() => load({ EVENT_PUBLISHERS: ' , ' })).toThrow(/EVENT_PUBLISHERS: must name at least one RabbitMQ user/);
  });
});
