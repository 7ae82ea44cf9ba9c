import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, envVar, httpLimitsOf, parseEnv, subgraphEnvSchema } from '@potluck/service';

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
      GRAPHQL_JIT: true,
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

  it("bounds every subgraph's HTTP sockets by default", () => {
    const config = parseEnv(schema, { DATABASE_URL: 'postgres://x/y', AMQP_URL: 'amqp://x' });
    expect(config).toMatchObject({
      HTTP_HEADERS_TIMEOUT_MS: 10_000,
      HTTP_REQUEST_TIMEOUT_MS: 30_000,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 35_000,
      HTTP_MAX_CONNECTIONS: 1000,
    });
    expect(() => httpLimitsOf({ ...config, HTTP_HEADERS_TIMEOUT_MS: 60_000 })).toThrow(ConfigError);
  });

  it('bounds the GraphQL requests run at once', () => {
    const config = parseEnv(schema, { DATABASE_URL: 'postgres://x/y', AMQP_URL: 'amqp://x' });
    expect(httpLimitsOf(config).admission).toEqual({ maxInFlight: 64, maxQueued: 512, queueTimeoutMs: 10_000 });
    const env = { DATABASE_URL: 'postgres://x/y', AMQP_URL: 'amqp://x' };
    const set = parseEnv(schema, {
      ...env,
      GRAPHQL_MAX_IN_FLIGHT: '8',
      GRAPHQL_MAX_QUEUED: '0',
      GRAPHQL_QUEUE_TIMEOUT_MS: '2000',
    });
    expect(httpLimitsOf(set).admission).toEqual({ maxInFlight: 8, maxQueued: 0, queueTimeoutMs: 2000 });
    expect(() => parseEnv(schema, { ...env, GRAPHQL_MAX_IN_FLIGHT: '0' })).toThrow(/GRAPHQL_MAX_IN_FLIGHT/);
    expect(() => parseEnv(schema, { ...env, GRAPHQL_MAX_QUEUED: '-1' })).toThrow(/GRAPHQL_MAX_QUEUED/);
  });

  it("refuses a duration longer than Node's longest timer, which would fire after 1 ms", () => {
    const env = { DATABASE_URL: 'postgres://x/y', AMQP_URL: 'amqp://x' };
    const longest = parseEnv(schema, { ...env, GRAPHQL_QUEUE_TIMEOUT_MS: '2147483647' });
    expect(longest.GRAPHQL_QUEUE_TIMEOUT_MS).toBe(2_147_483_647);
    for (const name of ['GRAPHQL_QUEUE_TIMEOUT_MS', 'SHUTDOWN_TIMEOUT_MS', 'OUTBOX_POLL_MS']) {
      expect(() => parseEnv(schema, { ...env, [name]: '2147483648' })).toThrow(
        new RegExp(`${name}: must be at most 2147483647 \\(about 24.8 days\\), the longest timer Node keeps`),
      );
    }
    // A retention is compared in SQL, never set as a timer: a long one is fine.
    const kept = parseEnv(schema, { ...env, MESSAGE_RETENTION_MS: String(90 * 24 * 3600 * 1000) });
    expect(kept.MESSAGE_RETENTION_MS).toBe(7_776_000_000);
  });

  it('says a required variable is missing, treating an empty value as missing', () => {
    expect(() => parseEnv(schema, { DATABASE_URL: '', AMQP_URL: 'amqp://x' })).toThrow(/DATABASE_URL is required/);
    expect(() => parseEnv(schema, { DATABASE_URL: 'postgres://x/y' })).toThrow(/AMQP_URL is required/);
  });

  it('rejects ports out of range', () => {
    expect(() => parseEnv(z.object({ PORT: envVar.port(1) }), { PORT: '70000' })).toThrow(/PORT/);
  });

  describe('never prints a secret in a config error', () => {
    const problemsOf = (schema: z.ZodObject, env: Record<string, string>) => {
      try {
        parseEnv(schema, env);
      } catch (error) {
        return (error as ConfigError).message;
      }
      throw new Error('expected a ConfigError');
    };

    const urls = z.object({ A: envVar.url(['amqp']), B: envVar.url(['amqp']), C: envVar.url(['amqp']) });
    it.each<{
      what: string;
      schema: z.ZodObject;
      env: Record<string, string>;
      shown: (string | RegExp)[];
      hidden: RegExp;
    }>([
      {
        what: 'a URL with a bad port or a wrong scheme',
        schema,
        env: {
          DATABASE_URL: 'postgres://recipes:db-secret-1@db:99999/recipes',
          AMQP_URL: 'http://potluck:amqp-secret-2@rabbitmq:5672',
          PORT: 'eighty',
        },
        shown: [
          'postgres://recipes:***@db:99999/recipes',
          'http://potluck:***@rabbitmq:5672',
          /PORT: .*\(got "eighty"\)/,
        ],
        hidden: /db-secret-1|amqp-secret-2/,
      },
      {
        what: 'a URL its password makes unparsable, "/", "#" and "@" included',
        schema: urls,
        env: {
          A: 'amqp://potluck:pa/ss#wo@rd@rabbitmq:5672',
          B: 'amqp://potluck:s3cret@',
          C: '  amqp://:only-secret@rabbitmq:notaport',
        },
        shown: ['amqp://potluck:***@rabbitmq:5672', 'amqp://potluck:***@', 'amqp://:***@rabbitmq:notaport'],
        hidden: /pa\/ss|wo@rd|s3cret|only-secret/,
      },
    ])('masks the password of $what', ({ schema, env, shown, hidden }) => {
      const message = problemsOf(schema, env);
      for (const text of shown) expect(message).toMatch(text);
      expect(message).not.toMatch(hidden);
    });

    it('shows only *** for a variable named as a secret, but the value of MAX_TOKENS and the like', () => {
      const count = () => z.enum(['1', '2'], { message: 'must be 1 or 2' });
      const secrets = z.object({
        DB_PASSWORD: count(),
        JWT_SECRET: count(),
        ACCESS_TOKEN: count(),
        APOLLO_KEY: count(),
        api_key: count(),
        MAX_TOKENS: count(),
        MONKEY_COUNT: count(),
        KEEP_ALIVE_MS: count(),
      });
      const message = problemsOf(secrets, {
        DB_PASSWORD: 'hunter2',
        JWT_SECRET: 'jwt-value',
        ACCESS_TOKEN: 'token-value',
        APOLLO_KEY: 'service:graph:key-value',
        api_key: 'lower-case-value',
        MAX_TOKENS: 'many',
        MONKEY_COUNT: 'lots',
        KEEP_ALIVE_MS: 'long',
      });
      for (const name of ['DB_PASSWORD', 'JWT_SECRET', 'ACCESS_TOKEN', 'APOLLO_KEY', 'api_key']) {
        expect(message).toContain(`${name}: must be 1 or 2 (got "***")`);
      }
      expect(message).not.toMatch(/hunter2|jwt-value|token-value|key-value|lower-case-value/);
      expect(message).toContain('MAX_TOKENS: must be 1 or 2 (got "many")');
      expect(message).toContain('MONKEY_COUNT: must be 1 or 2 (got "lots")');
      expect(message).toContain('KEEP_ALIVE_MS: must be 1 or 2 (got "long")');
    });

    it('keeps a URL without a password as it is, so the operator sees what is wrong', () => {
      const message = problemsOf(schema, { DATABASE_URL: 'mysql://db:5432/x?user=a@b', AMQP_URL: 'amqp//x' });
      expect(message).toContain('(got "mysql://db:5432/x?user=a@b")');
      expect(message).toContain('(got "amqp//x")');
      expect(message).not.toContain('***');
    });
  });
});
