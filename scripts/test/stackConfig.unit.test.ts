import { describe, expect, it } from 'vitest';
import { DEFAULT_DELIVERY_LIMIT } from '@potluck/messaging';
import { ConfigError } from '@potluck/service';
import { loadStackConfig } from '../stackConfig.js';

describe('npm start configuration', () => {
  it('refuses an AMQP_PREFIX the services would refuse, before starting anything', () => {
    expect(() => loadStackConfig({ AMQP_PREFIX: 'has space' })).toThrow(ConfigError);
    expect(() => loadStackConfig({ AMQP_PREFIX: 'has space' })).toThrow(/AMQP_PREFIX/);
    expect(loadStackConfig({ AMQP_PREFIX: 'team-a.potluck' }).AMQP_PREFIX).toBe('team-a.potluck');
    expect(loadStackConfig({}).AMQP_PREFIX).toBe('potluck');
  });

  it('takes the subgraphs’ EVENT_DELIVERY_LIMIT for the work queues it declares, with their default', () => {
    expect(loadStackConfig({}).EVENT_DELIVERY_LIMIT).toBe(DEFAULT_DELIVERY_LIMIT);
    expect(loadStackConfig({ EVENT_DELIVERY_LIMIT: '3' }).EVENT_DELIVERY_LIMIT).toBe(3);
    expect(() => loadStackConfig({ EVENT_DELIVERY_LIMIT: '0' })).toThrow(/EVENT_DELIVERY_LIMIT/);
  });
});
