import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig, urlOverrides } from '../src/config.js';
import { readinessUrlOf, subgraphsOf } from '../src/supergraph.js';

const supergraph = readFileSync(fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url)), 'utf8');

describe('subgraphsOf', () => {
  it('lists the composed subgraphs with their URLs', () => {
    expect(subgraphsOf(supergraph, {})).toEqual([
      { name: 'comments', url: 'http://localhost:4002/graphql' },
      { name: 'recipes', url: 'http://localhost:4001/graphql' },
    ]);
  });

  it('applies RECIPES_URL and COMMENTS_URL overrides', () => {
    const config = loadConfig({ RECIPES_URL: 'http://recipes:4001/graphql' });
    expect(subgraphsOf(supergraph, urlOverrides(config))).toContainEqual({
      name: 'recipes',
      url: 'http://recipes:4001/graphql',
    });
  });

  it('refuses a document that is not a supergraph', () => {
    expect(() => subgraphsOf('type Query { a: Int }', {})).toThrow(/no join__Graph enum/);
  });
});

describe('gateway config', () => {
  it('names a bad subgraph URL', () => {
    expect(() => loadConfig({ COMMENTS_URL: 'comments:4002' })).toThrow(
      /COMMENTS_URL: must be a URL starting with http/,
    );
  });

  it('finds readiness beside the GraphQL endpoint', () => {
    expect(readinessUrlOf('http://127.0.0.1:4001/graphql')).toBe('http://127.0.0.1:4001/health/ready');
  });
});
