import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@potluck/service';
import { commentEventFixture, recipeEventFixture } from '@potluck/testing';
import { Registry } from 'prom-client';
import type { Send } from '../src/entityCache/cachedFetch.js';
import { createEntityCache } from '../src/entityCache/index.js';
import type { StreamEntry } from '../src/subscriptions/streamMessages.js';

const RECIPE_COMMENTS = `query($representations:[_Any!]!){_entities(representations:$representations){...on Recipe{comments{edges{node{text}}}}}}`;

/** The stream reader as the cache sees it: entries and link changes, pushed by the test. */
function fakeStream() {
  const entries = new Set<(entry: StreamEntry) => void>();
  const links = new Set<(linked: boolean) => void>();
  return {
    onEntry: (listener: (entry: StreamEntry) => void) => (entries.add(listener), () => entries.delete(listener)),
    onLink: (listener: (linked: boolean) => void) => (links.add(listener), () => links.delete(listener)),
    entry: (entry: StreamEntry) => entries.forEach((listener) => listener(entry)),
    link: (linked: boolean) => links.forEach((listener) => listener(linked)),
    watchLiveness: () => () => undefined,
  };
}

function setUp() {
  const registry = new Registry();
  const cache = createEntityCache({ maxBytes: 1 << 20, ttlMs: 60_000 }, registry, createLogger('test', 'silent'));
  const stream = fakeStream();
  cache.follow(stream);
  const fetch = cache.fetchFor('comments');
  const asked: string[][] = [];
  const send: Send = async (options) => {
    const ids = (options.request.variables?.representations as Array<{ id: string }>).map(({ id }) => id);
    asked.push(ids);
    return { data: { _entities: ids.map((id) => ({ comments: { edges: [{ node: { text: id } }] } })) } };
  };
  const read = (...ids: string[]) =>
    fetch(
      {
        request: {
          query: RECIPE_COMMENTS,
          variables: { representations: ids.map((id) => ({ __typename: 'Recipe', id })) },
        },
        incomingRequestContext: {},
        context: { requestId: 'r', viewer: null },
      } as unknown as Parameters<typeof fetch>[0],
      send,
    );
  const serving = async () =>
    (await registry.getSingleMetric('potluck_gateway_entity_cache_serving')!.get()).values[0]!.value;
  return { cache, stream, read, asked, serving };
}

describe('the entity cache on the event stream', () => {
  it('serves nothing until the stream is read, then caches', async () => {
    const { stream, read, asked, serving } = setUp();
    const id = randomUUID();
    await read(id);
    await read(id);
    expect(await serving()).toBe(0);
    stream.link(true);
    await read(id);
    await read(id);
    expect(await serving()).toBe(1);
    expect(asked).toEqual([[id], [id], [id]]);
  });

  it('drops what an event names, in every subgraph, and nothing else', async () => {
    const { stream, read, asked } = setUp();
    stream.link(true);
    const [recipe, other] = [randomUUID(), randomUUID()];
    await read(recipe, other);
    stream.entry({ kind: 'event', offset: 1, event: commentEventFixture('comment.added', recipe) });
    await read(recipe, other);
    stream.entry({ kind: 'event', offset: 2, event: recipeEventFixture('recipe.updated', other, 2) });
    await read(recipe, other);
    stream.entry({ kind: 'mark', offset: 3, id: randomUUID() });
    await read(recipe, other);
    expect(asked).toEqual([[recipe, other], [recipe], [other]]);
  });

  it('flushes on an entry it cannot read, and when the stream goes away or comes back', async () => {
    const { stream, read, asked, serving } = setUp();
    stream.link(true);
    const id = randomUUID();
    await read(id);
    stream.entry({ kind: 'skipped', offset: 1, reason: 'invalid envelope' });
    await read(id);
    stream.link(false);
    expect(await serving()).toBe(0);
    await read(id);
    stream.link(true);
    await read(id);
    await read(id);
    expect(asked).toEqual([[id], [id], [id], [id]]);
  });
});

describe('the entity cache on the supergraph', () => {
  it('flushes when the gateway loads another supergraph', async () => {
    const { cache, stream, read, asked } = setUp();
    const supergraph = readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8');
    let update: (sdl: string) => void = () => undefined;
    const gateway = new ApolloGateway({
      logger: createLogger('test', 'silent'),
      supergraphSdl: async (hooks) => {
        update = hooks.update;
        return { supergraphSdl: supergraph };
      },
    });
    cache.followSupergraph(gateway);
    await gateway.load();
    stream.link(true);
    const id = randomUUID();
    await read(id);
    await read(id);
    update(`${supergraph}\n# redeployed\n`);
    await read(id);
    await gateway.stop();
    expect(asked).toEqual([[id], [id]]);
  });
});
