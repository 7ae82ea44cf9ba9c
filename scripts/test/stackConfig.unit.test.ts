import { describe, expect, it } from 'vitest';
import { ConfigError } from '@potluck/service';
import { loadStackConfig } from '../stackConfig.js';

describe('npm start configuration', () => {
  it('refuses an AMQP_PREFIX the services would refuse, before starting anything', () => {
    expect(() => loadStackConfig({ AMQP_PREFIX: 'has space' })).toThrow(ConfigError);
    expect(() => loadStackConfig({ AMQP_PREFIX: 'has space' })).toThrow(/AMQP_PREFIX/);
    expect(loadStackConfig({ AMQP_PREFIX: 'team-a.potluck' }).AMQP_PREFIX).toBe('team-a.potluck');
    expect(loadStackConfig({}).AMQP_PREFIX).toBe('potluck');
  });
});
