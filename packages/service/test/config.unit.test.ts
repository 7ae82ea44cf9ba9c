import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, envVar, parseEnv, subgraphEnvSchema } from '@potluck/service';

describe('parseEnv', () => {
  const schema = subgraphEnvSchema(4001);

  it('applies defaults and returns a frozen, typed object', () => {
    const config = parseEnv(schema, {
      DATABASE_URL: 'postgresql://localhost/recipes',
      AMQP_URL: 'amqp://localhost',
    });
    expect(config).toMatchObject({
      PORT: 4001,
      MIGRATE_ON_START: true,
      STACKTRACES: false,
      LOG_LEVEL: 'info',
      AMQP_PREFIX: 'potluck',
      FAILPOINTS: [],
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reports every bad variable at once, each by name', () => {
    const attempt = () =>
      parseEnv(schema, {
        PORT: 'eighty',
        MIGRATE_ON_START: 'maybe',
        DATABASE_URL: 'mysql://x/y',
        AMQP_URL: 'amqp://x',
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const { problems, message } = error as ConfigError;
      expect(problems).toHaveLength(3);
      expect(message).toMatch(/PORT: .*"eighty"/);
      expect(message).toMatch(/MIGRATE_ON_START: must be true or false/);
      expect(message).toMatch(/DATABASE_URL: must be a URL starting with postgres:\/\/ or postgresql:\/\//);
    }
  });

  it('says a required variable is missing, treating an empty value as missing', () => {
    expect(() => parseEnv(schema, { DATABASE_URL: '', AMQP_URL: 'amqp://x' })).toThrow(/DATABASE_URL is required/);
    expect(() => parseEnv(schema, { DATABASE_URL: 'postgres://x/y' })).toThrow(/AMQP_URL is required/);
  });

  it('rejects ports out of range', () => {
    expect(() => parseEnv(z.object({ PORT: envVar.port(1) }), { PORT: '70000' })).toThrow(/PORT/);
  });
});
