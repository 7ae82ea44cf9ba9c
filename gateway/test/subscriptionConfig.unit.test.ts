import { describe, expect, it } from 'vitest';
import { loadConfig, subscriptionSettingsOf } from '../src/config.js';

const base = {};

describe('subscription connection limits', () => {
  it('default WebSockets per address to SUBSCRIPTIONS_PER_ADDRESS and in all to 80% of HTTP_MAX_CONNECTIONS', () => {
    const settings = subscriptionSettingsOf(
      loadConfig({ ...base, SUBSCRIPTIONS_PER_ADDRESS: '30', HTTP_MAX_CONNECTIONS: '500' }),
    );
    expect(settings).toMatchObject({
      maxSocketsPerAddress: 30,
      maxSockets: 400,
      socketIdleMs: 60_000,
      maxCatchUpReaders: 64,
    });
  });

  it('refuse a WebSocket cap that leaves plain HTTP no connection', () => {
    expect(() => loadConfig({ ...base, WEBSOCKETS_MAX: '1000', HTTP_MAX_CONNECTIONS: '1000' })).toThrow(
      /WEBSOCKETS_MAX: must be below HTTP_MAX_CONNECTIONS \(1000\)/,
    );
  });
});
