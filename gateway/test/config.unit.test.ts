import { describe, expect, it } from 'vitest';
import { loadConfig, subgraphTimeoutMs } from '../src/config.js';

/** The least a production gateway needs: a real identity provider and its own internal secret. */
const PRODUCTION = {
  POTLUCK_MODE: 'production',
  AUTH_JWKS_URL: 'https://id.example.com/.well-known/jwks.json',
  AUTH_ISSUER: 'https://id.example.com/',
  AUTH_AUDIENCE: 'potluck',
  INTERNAL_AUTH_SECRET: 'a-production-secret-of-at-least-32-characters',
};

describe('gateway config', () => {
  it('has the documented limits by default', () => {
    expect(loadConfig({})).toMatchObject({
      POTLUCK_MODE: 'development',
      MAX_DEPTH: 12,
      MAX_ALIASES: 30,
      MAX_COST: 500_000,
      MAX_TOKENS: 1000,
      MAX_DIRECTIVES: 50,
      MAX_PAGE_SIZE: 100,
      MAX_BODY_BYTES: 1024 * 1024,
      SUBGRAPH_TIMEOUT_MS: 5000,
      SUPERGRAPH_POLL_MS: 1000,
    });
  });

  it('merges at most SUBGRAPH_BATCH_MAX fetches into one subgraph call, 16 by default, 1 to 32', () => {
    expect(loadConfig({}).SUBGRAPH_BATCH_MAX).toBe(16);
    expect(loadConfig({ SUBGRAPH_BATCH_MAX: '1' }).SUBGRAPH_BATCH_MAX).toBe(1);
    expect(() => loadConfig({ SUBGRAPH_BATCH_MAX: '0' })).toThrow(/SUBGRAPH_BATCH_MAX/);
    expect(() => loadConfig({ SUBGRAPH_BATCH_MAX: '33' })).toThrow(/SUBGRAPH_BATCH_MAX.*at most 32/);
  });

  it('turns introspection on in development and off in production, unless INTROSPECTION says otherwise', () => {
    expect(loadConfig({}).INTROSPECTION).toBe(true);
    expect(loadConfig(PRODUCTION).INTROSPECTION).toBe(false);
    expect(loadConfig({ ...PRODUCTION, INTROSPECTION: 'true' }).INTROSPECTION).toBe(true);
    expect(loadConfig({ INTROSPECTION: 'false' }).INTROSPECTION).toBe(false);
  });

  it('refuses to run in production with development keys or without an identity provider', () => {
    const withoutProvider = { ...PRODUCTION, AUTH_JWKS_URL: undefined };
    expect(() => loadConfig(withoutProvider)).toThrow(/AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE are required/);
    expect(() => loadConfig({ ...PRODUCTION, AUTH_ISSUER: 'potluck-dev' })).toThrow(/development issuer/);
    expect(() => loadConfig({ ...PRODUCTION, AUTH_JWKS_URL: 'http://id.example.com/jwks.json' })).toThrow(
      /plain http is refused/,
    );
    const withoutSecret = { ...PRODUCTION, INTERNAL_AUTH_SECRET: undefined };
    expect(() => loadConfig(withoutSecret)).toThrow(
      /INTERNAL_AUTH_SECRET \(or INTERNAL_AUTH_SECRET_FILE\) is required/,
    );
    expect(() => loadConfig({ ...PRODUCTION, INTERNAL_AUTH_SECRET: `potluck-dev-${'x'.repeat(40)}` })).toThrow(
      /development secret is refused/,
    );
  });

  it('needs an issuer and an audience with a JWKS URL, and accepts only asymmetric algorithms', () => {
    expect(() => loadConfig({ AUTH_JWKS_URL: 'https://id.example.com/jwks.json' })).toThrow(
      /AUTH_ISSUER is required with AUTH_JWKS_URL[\s\S]*AUTH_AUDIENCE is required/,
    );
    for (const algorithms of ['HS256', 'none', 'RS256,HS512']) {
      expect(() => loadConfig({ AUTH_ALGORITHMS: algorithms })).toThrow(/AUTH_ALGORITHMS/);
    }
    expect(loadConfig({ AUTH_ALGORITHMS: 'RS256, ES256' }).AUTH_ALGORITHMS).toEqual(['RS256', 'ES256']);
  });

  it('hides the internal secret when it refuses it', () => {
    expect(() => loadConfig({ INTERNAL_AUTH_SECRET: 'short-secret-value' })).toThrow(/INTERNAL_AUTH_SECRET: .*\*\*\*/);
    expect(() => loadConfig({ INTERNAL_AUTH_SECRET: 'short-secret-value' })).not.toThrow(/short-secret-value/);
  });

  it('refuses stack traces in production', () => {
    expect(loadConfig({ STACKTRACES: 'true' }).STACKTRACES).toBe(true);
    expect(() => loadConfig({ ...PRODUCTION, STACKTRACES: 'true' })).toThrow(
      /STACKTRACES: must be false when POTLUCK_MODE is production/,
    );
  });

  it('gives each subgraph its own timeout override, and SUBGRAPH_TIMEOUT_MS to any other', () => {
    const config = loadConfig({ SUBGRAPH_TIMEOUT_MS: '8000', COMMENTS_TIMEOUT_MS: '1500' });
    expect(subgraphTimeoutMs(config, 'comments')).toBe(1500);
    expect(subgraphTimeoutMs(config, 'recipes')).toBe(8000);
    expect(subgraphTimeoutMs(config, 'ratings')).toBe(8000);
    expect(subgraphTimeoutMs(loadConfig({ RECIPES_TIMEOUT_MS: '300' }), 'recipes')).toBe(300);
    expect(subgraphTimeoutMs(loadConfig({}), 'comments')).toBe(5000);
  });

  it('refuses a subgraph timeout that is not a whole number of milliseconds, naming the variable', () => {
    expect(() => loadConfig({ COMMENTS_TIMEOUT_MS: '1.5s' })).toThrow(/COMMENTS_TIMEOUT_MS: .* \(got "1\.5s"\)/);
    expect(() => loadConfig({ RECIPES_TIMEOUT_MS: '0' })).toThrow(/RECIPES_TIMEOUT_MS: .* \(got "0"\)/);
    expect(() => loadConfig({ RECIPES_TIMEOUT_MS: '2.5' })).toThrow(/RECIPES_TIMEOUT_MS: must be a whole number/);
  });

  it("shapes results with Potluck's function unless RESULT_SHAPING says apollo", () => {
    expect(loadConfig({}).RESULT_SHAPING).toBe('potluck');
    expect(loadConfig({ RESULT_SHAPING: 'apollo' }).RESULT_SHAPING).toBe('apollo');
    expect(() => loadConfig({ RESULT_SHAPING: 'fast' })).toThrow(
      /RESULT_SHAPING: must be potluck or apollo \(got "fast"\)/,
    );
  });

  it('names every bad variable at once', () => {
    expect(() => loadConfig({ POTLUCK_MODE: 'staging', MAX_DEPTH: '0', SUBGRAPH_TIMEOUT_MS: 'soon' })).toThrow(
      /POTLUCK_MODE[\s\S]*SUBGRAPH_TIMEOUT_MS[\s\S]*MAX_DEPTH|POTLUCK_MODE[\s\S]*MAX_DEPTH[\s\S]*SUBGRAPH_TIMEOUT_MS/,
    );
  });

  it('closes browser access and telemetry by default, and bounds HTTP sockets', () => {
    expect(loadConfig({})).toMatchObject({
      ALLOWED_HOSTS: ['localhost', '127.0.0.1', '[::1]'],
      CORS_ORIGINS: [],
      APOLLO_TELEMETRY: false,
      HTTP_HEADERS_TIMEOUT_MS: 10_000,
      HTTP_REQUEST_TIMEOUT_MS: 30_000,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 35_000,
      HTTP_MAX_CONNECTIONS: 1000,
    });
  });

  it('reads ALLOWED_HOSTS as host names without ports, as a browser writes them, or *', () => {
    expect(loadConfig({ ALLOWED_HOSTS: ' Potluck.Example.com, gateway,[0:0::1],127.1 ' }).ALLOWED_HOSTS).toEqual([
      'potluck.example.com',
      'gateway',
      '[::1]',
      '127.0.0.1',
    ]);
    expect(loadConfig({ ALLOWED_HOSTS: '*' }).ALLOWED_HOSTS).toEqual(['*']);
    for (const bad of ['example.com:4000', 'http://example.com', '::1', ',']) {
      expect(() => loadConfig({ ALLOWED_HOSTS: bad }), bad).toThrow(/ALLOWED_HOSTS: must be host names without ports/);
    }
  });

  it('reads CORS_ORIGINS as exact origins', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:3000' }).CORS_ORIGINS).toEqual([
      'https://app.example.com',
      'http://localhost:3000',
    ]);
    for (const bad of ['https://app.example.com/', '*', 'app.example.com', 'https://APP.example.com']) {
      expect(() => loadConfig({ CORS_ORIGINS: bad }), bad).toThrow(/CORS_ORIGINS: must be origins/);
    }
  });

  it('refuses HTTP timeouts Node would refuse, or that would end keep-alive to the gateway', () => {
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '40000' })).toThrow(
      /HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS/,
    );
    expect(() => loadConfig({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '2000' })).toThrow(
      /HTTP_KEEP_ALIVE_TIMEOUT_MS: must be at least 5000/,
    );
    expect(() => loadConfig({ ENTITY_CACHE_STREAM_DEADLINE_MS: '400' })).toThrow(
      /ENTITY_CACHE_STREAM_DEADLINE_MS: must be at least 500, or an ordinary busy moment/,
    );
    expect(loadConfig({ HTTP_MAX_CONNECTIONS: '20', APOLLO_TELEMETRY: 'true' })).toMatchObject({
      HTTP_MAX_CONNECTIONS: 20,
      APOLLO_TELEMETRY: true,
    });
  });
});
