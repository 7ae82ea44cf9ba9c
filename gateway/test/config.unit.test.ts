import { describe, expect, it } from 'vitest';
import { loadConfig, subgraphTimeoutMs } from '../src/config.js';

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

  it('turns introspection on in development and off in production, unless INTROSPECTION says otherwise', () => {
    expect(loadConfig({}).INTROSPECTION).toBe(true);
    expect(loadConfig({ POTLUCK_MODE: 'production' }).INTROSPECTION).toBe(false);
    expect(loadConfig({ POTLUCK_MODE: 'production', INTROSPECTION: 'true' }).INTROSPECTION).toBe(true);
    expect(loadConfig({ INTROSPECTION: 'false' }).INTROSPECTION).toBe(false);
  });

  it('refuses stack traces in production', () => {
    expect(loadConfig({ STACKTRACES: 'true' }).STACKTRACES).toBe(true);
    expect(() => loadConfig({ POTLUCK_MODE: 'production', STACKTRACES: 'true' })).toThrow(
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

  it('names every bad variable at once', () => {
    expect(() => loadConfig({ POTLUCK_MODE: 'staging', MAX_DEPTH: '0', SUBGRAPH_TIMEOUT_MS: 'soon' })).toThrow(
      /POTLUCK_MODE[\s\S]*SUBGRAPH_TIMEOUT_MS[\s\S]*MAX_DEPTH|POTLUCK_MODE[\s\S]*MAX_DEPTH[\s\S]*SUBGRAPH_TIMEOUT_MS/,
    );
  });
});
