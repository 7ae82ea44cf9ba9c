import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withSubgraphUrls } from '../src/gateways/supergraphUrls.js';

const committed = readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8');

describe('withSubgraphUrls', () => {
  it('points each named subgraph at the given URL and changes nothing else', () => {
    const urls = { recipes: 'http://127.0.0.1:5001/graphql', comments: 'http://127.0.0.1:5002/graphql' };
    const rewritten = withSubgraphUrls(committed, urls);
    expect(rewritten).toContain('@join__graph(name: "recipes", url: "http://127.0.0.1:5001/graphql")');
    expect(rewritten).toContain('@join__graph(name: "comments", url: "http://127.0.0.1:5002/graphql")');
    expect(rewritten.replace(/url: "[^"]*"\)/g, '')).toBe(committed.replace(/url: "[^"]*"\)/g, ''));
  });

  it('refuses a subgraph the supergraph does not name', () => {
    expect(() => withSubgraphUrls(committed, { reviews: 'http://127.0.0.1:1/graphql' })).toThrow(/reviews/);
  });
});
