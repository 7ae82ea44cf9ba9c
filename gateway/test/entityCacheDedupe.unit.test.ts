import { randomUUID } from 'node:crypto';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { createGatewayCredentialSigner } from '@potluck/identity';
import { createLogger } from '@potluck/service';
import { waitFor } from '@potluck/testing';
import { describe, expect, it } from 'vitest';
import type { GatewayContext } from '../src/context.js';
import { cachedFetch } from '../src/entityCache/cachedFetch.js';
import { EntityCache } from '../src/entityCache/entityCache.js';
import { dedupeInflight } from '../src/inflightDedupe.js';
import type { SubgraphAnswer, SubgraphCall } from '../src/subgraphCall.js';
import { SubgraphDataSource } from '../src/subgraphDataSource.js';

const TITLE_OF = `query Page__recipes__1($representations:[_Any!]!){_entities(representations:$representations){...on Recipe{title}}}`;

/**
 * The recipes subgraph over HTTP as the gateway's subgraph call sees it: each call reads the title
 * when it arrives and answers when released. Behind the real `dedupeInflight`, and the real
 * data source (headers, credential) in front of it, so what is shared is what the gateway shares.
 */
function recipesSubgraph(cache: EntityCache) {
  const row = { title: 'Old title' };
  const held: Array<() => void> = [];
  const call: SubgraphCall = (_url, init) => {
    const { variables } = JSON.parse(String(init?.body)) as { variables: { representations: unknown[] } };
    const body = JSON.stringify({ data: { _entities: variables.representations.map(() => ({ title: row.title })) } });
    return new Promise<SubgraphAnswer>((resolve) =>
      held.push(() => resolve({ status: 200, headers: [['content-type', 'application/json']], body })),
    );
  };
  const joined: Array<string | undefined> = [];
  const shared = dedupeInflight(call, { onJoin: (requestId) => joined.push(requestId) });
  const source = new SubgraphDataSource({
    name: 'recipes',
    url: 'http://recipes.invalid/graphql',
    pools: { callFor: () => shared, close: async () => undefined },
    timeoutMs: 5000,
    logger: createLogger('test', 'silent'),
    credentials: createGatewayCredentialSigner('a-test-secret-of-at-least-32-characters!'),
    cache: cachedFetch({
      cache,
      subgraph: 'recipes',
      metrics: { lookedUp: () => undefined, bypassed: () => undefined, invalidated: () => undefined },
    }),
  });
  const read = async (id: string) => {
    const options = {
      kind: 'incoming operation', // @apollo/gateway does not export the enum at run time
      request: { query: TITLE_OF, variables: { representations: [{ __typename: 'Recipe', id }] } },
      incomingRequestContext: {},
      context: { requestId: randomUUID(), viewer: null },
    } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
    const response = await source.process(options);
    return (response.data?._entities as Array<{ title: string }>)[0]!.title;
  };
  return { row, held, joined, read };
}

describe('the entity cache behind the in-flight dedupe', () => {
  it('never stores, as fresh, an answer a later read shared with a call sent before an invalidation', async () => {
    const cache = new EntityCache({ maxBytes: 1 << 20, ttlMs: 60_000 });
    cache.setServing(true);
    const recipes = recipesSubgraph(cache);
    const id = randomUUID();
    const before = recipes.read(id); // sent; the subgraph read the old title
    await waitFor(() => recipes.held.length === 1 || undefined, { what: 'the first call' });
    recipes.row.title = 'New title'; // the change commits...
    cache.invalidate([`Recipe:${id}`], 'event'); // ...and its event reaches the gateway
    const after = recipes.read(id); // starts after the event: must not join the first call
    await waitFor(() => recipes.held.length === 2 || undefined, { what: 'a call of its own', timeoutMs: 2000 });
    recipes.held.forEach((release) => release());
    expect(await before).toBe('Old title');
    expect(await after).toBe('New title');
    expect(await recipes.read(id)).toBe('New title');
    expect(recipes.held).toHaveLength(2);
    expect(recipes.joined).toEqual([]);
  });

  it('still shares one call among reads that start between the same invalidations', async () => {
    const cache = new EntityCache({ maxBytes: 1 << 20, ttlMs: 60_000 });
    cache.setServing(true);
    const recipes = recipesSubgraph(cache);
    const id = randomUUID();
    const reads = [recipes.read(id), recipes.read(id)];
    await waitFor(() => recipes.joined.length === 1 || undefined, { what: 'the second read joining the first' });
    recipes.held.forEach((release) => release());
    expect(await Promise.all(reads)).toEqual(['Old title', 'Old title']);
    expect(recipes.held).toHaveLength(1);
  });
});
