import { describe, expect, it } from 'vitest';
import { ConfigError } from '@potluck/service';
import { entityCacheOf, loadConfig } from '../src/config.js';

const AMQP_URL = 'amqp://gateway:secret@broker:5672';

describe('entity cache config', () => {
  it('is off by default', () => {
    expect(entityCacheOf(loadConfig({ AMQP_URL }))).toBeUndefined();
  });

  it('takes its size and TTL when on', () => {
    const config = loadConfig({
      AMQP_URL,
      ENTITY_CACHE: 'true',
      ENTITY_CACHE_MAX_BYTES: '1048576',
      ENTITY_CACHE_TTL_MS: '2000',
    });
    expect(entityCacheOf(config)).toEqual({
      maxBytes: 1_048_576,
      ttlMs: 2000,
      responses: true,
      streamDeadlineMs: 3000,
    });
    expect(entityCacheOf(loadConfig({ AMQP_URL, ENTITY_CACHE: 'true' }))).toEqual({
      maxBytes: 64 * 1024 * 1024,
      ttlMs: 300_000,
      responses: true,
      streamDeadlineMs: 3000,
    });
    expect(entityCacheOf(loadConfig({ AMQP_URL, ENTITY_CACHE: 'true', ENTITY_CACHE_RESPONSES: 'false' }))).toEqual({
      maxBytes: 64 * 1024 * 1024,
      ttlMs: 300_000,
      responses: false,
      streamDeadlineMs: 3000,
    });
  });

  it('refuses to cache without the events that invalidate it', () => {
    expect(() => loadConfig({ ENTITY_CACHE: 'true' })).toThrow(ConfigError);
    expect(() => loadConfig({ ENTITY_CACHE: 'true' })).toThrow(/ENTITY_CACHE: needs AMQP_URL/);
  });

  it('reports a bad size and a bad switch together', () => {
    expect(() => loadConfig({ AMQP_URL, ENTITY_CACHE: 'maybe', ENTITY_CACHE_MAX_BYTES: '0' })).toThrow(
      /ENTITY_CACHE[\s\S]*ENTITY_CACHE_MAX_BYTES|ENTITY_CACHE_MAX_BYTES[\s\S]*ENTITY_CACHE/,
    );
  });
});
