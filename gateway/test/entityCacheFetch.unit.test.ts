import { describe, expect, it } from 'vitest';
import { cachedFetch, type Send } from '../src/entityCache/cachedFetch.js';
import { EntityCache } from '../src/entityCache/entityCache.js';
import { mergeEntities, remapErrorPath, splitEntities } from '../src/entityCache/splitEntities.js';
import { describedChars, describeOperation } from '../src/entityCache/subgraphOperation.js';

const COMMENTS_OF = `query Page__comments__1($representations:[_Any!]!$first:Int){_entities(representations:$representations){...on Recipe{comments(first:$first){edges{node{id text author{id name}}}}}}}`;
const WITH_COUNT = `query Page__recipes__1($representations:[_Any!]!){_entities(representations:$representations){...on Recipe{title commentCount}}}`;
const UPDATE = `mutation Update__recipes__0($id:ID!$input:UpdateRecipeInput!){changed:updateRecipe(id:$id input:$input){title}}`;

const recipe = (id: string) => ({ __typename: 'Recipe', id });
const commentsOf = (id: string) => ({ comments: { edges: [{ node: { id: `c-${id}`, text: id } }] } });

/** A comments subgraph in memory: answers each representation from `state`, recording what it was asked. */
function subgraph(state: Record<string, unknown> = {}) {
  const asked: string[][] = [];
  let answer: ((representations: Array<{ id: string }>) => Awaited<ReturnType<Send>>) | undefined;
  const send: Send = async (options) => {
    const representations = (options.request.variables?.representations ?? []) as Array<{ id: string }>;
    asked.push(representations.map(({ id }) => id));
    if (answer) return answer(representations);
    return { data: { _entities: representations.map(({ id }) => state[id] ?? commentsOf(id)) } };
  };
  return { asked, send, answerWith: (next: typeof answer) => (answer = next) };
}

function entitiesRequest(ids: string[], query = COMMENTS_OF, first = 5, other: Record<string, unknown> = {}) {
  return {
    request: { query, variables: { first, ...other, representations: ids.map(recipe) } },
    incomingRequestContext: {},
    context: { requestId: 'r', viewer: null },
  } as unknown as Parameters<ReturnType<typeof cachedFetch>>[0];
}

function setUp() {
  const cache = new EntityCache({ maxBytes: 1024 * 1024, ttlMs: 60_000 });
  cache.setServing(true);
  const counted = { hits: 0, misses: 0, bypassed: [] as string[] };
  const fetch = cachedFetch({
    cache,
    subgraph: 'comments',
    metrics: {
      lookedUp: (_subgraph, hits, misses) => {
        counted.hits += hits;
        counted.misses += misses;
      },
      bypassed: (_subgraph, reason) => void counted.bypassed.push(reason),
      invalidated: () => undefined,
    },
  });
  return { cache, fetch, counted };
}

describe('splitting and merging an _entities fetch', () => {
  it('fetches only the misses and answers in the order of the representations', () => {
    const cached: Record<string, string> = { b: '{"n":"b"}', d: 'null' };
    const split = splitEntities(['a', 'b', 'c', 'd'], (id) => cached[id]);
    expect(split.missing).toEqual([0, 2]);
    expect(mergeEntities(split, [{ n: 'a' }, { n: 'c' }])).toEqual([{ n: 'a' }, { n: 'b' }, { n: 'c' }, null]);
  });

  it('hands out a fresh object for each hit, since the gateway merges into what it gets', () => {
    const split = splitEntities(['a', 'a'], () => '{"n":{"m":1}}');
    const [first, second] = mergeEntities(split, []) as Array<{ n: object }>;
    expect(first).toEqual(second);
    expect(first!.n).not.toBe(second!.n);
  });

  it('puts an error of the i-th fetched representation back at its original position', () => {
    const error = { message: 'boom', path: ['_entities', 1, 'comments'] };
    expect(remapErrorPath(error, [0, 3]).path).toEqual(['_entities', 3, 'comments']);
    expect(remapErrorPath({ message: 'no path' }, [0, 3])).toEqual({ message: 'no path' });
  });
});

describe('describing a subgraph operation', () => {
  it('caches an _entities fetch of cacheable fields, not one that selects commentCount or a root field', () => {
    expect(describeOperation(COMMENTS_OF).kind).toBe('entities');
    expect(describeOperation(WITH_COUNT)).toMatchObject({ kind: 'uncacheable', reason: /commentCount/ });
    expect(describeOperation('query{recipes(first:2){edges{node{id}}}}').kind).toBe('uncacheable');
    expect(describeOperation('query($r:[_Any!]!){_entities(representations:$r){...on User{id}}}').kind).toBe(
      'uncacheable',
    );
  });

  it('follows named fragments', () => {
    const query = `query($r:[_Any!]!){_entities(representations:$r){...F}} fragment F on Recipe{commentCount}`;
    expect(describeOperation(query).kind).toBe('uncacheable');
    expect(describeOperation(query.replace('commentCount', 'title')).kind).toBe('entities');
  });

  it('keeps at most a bounded number of characters of query text, however many distinct texts come', () => {
    const before = describedChars();
    describeOperation(`${COMMENTS_OF} `);
    expect(describedChars()).toBe(before + COMMENTS_OF.length + 1);
    const long = 'y'.repeat(60 * 1024);
    for (let n = 0; n < 100; n++) describeOperation(`query{recipes(filter:{titleContains:"${n}${long}"}){totalCount}}`);
    describeOperation(`query{recipes(filter:{titleContains:"${'z'.repeat(1024 * 1024)}"}){totalCount}}`);
    expect(describedChars()).toBeLessThanOrEqual(4 * 1024 * 1024);
  });

  it('names an _entities fetch without the client operation name the planner puts in it', () => {
    const named = describeOperation(COMMENTS_OF);
    const renamed = describeOperation(COMMENTS_OF.replace('Page__comments__1', 'Other__comments__1'));
    const anonymous = describeOperation(COMMENTS_OF.replace('query Page__comments__1', 'query'));
    expect(named.kind).toBe('entities');
    expect(renamed).toEqual(named);
    expect(anonymous).toEqual(named);
    expect(describeOperation(COMMENTS_OF.replace('text author', 'author'))).not.toEqual(named);
  });

  it('reads a mutation field with its alias and its arguments', () => {
    const described = describeOperation(UPDATE);
    if (described.kind !== 'mutation') throw new Error(described.kind);
    const [field] = described.fields;
    expect(field!.responseKey).toBe('changed');
    expect(field!.args({ id: 'r1', input: { title: 't' } })).toEqual({ id: 'r1', input: { title: 't' } });
  });
});

describe('an _entities fetch through the cache', () => {
  it('serves a repeated entity from the cache and fetches only the new ones, in order', async () => {
    const { fetch, counted } = setUp();
    const comments = subgraph();
    await fetch(entitiesRequest(['r1', 'r2']), comments.send);
    const response = await fetch(entitiesRequest(['r0', 'r2', 'r3', 'r1']), comments.send);
    expect(comments.asked).toEqual([
      ['r1', 'r2'],
      ['r0', 'r3'],
    ]);
    expect(response.data?._entities).toEqual(['r0', 'r2', 'r3', 'r1'].map(commentsOf));
    expect(counted).toMatchObject({ hits: 2, misses: 4 });
  });

  it('answers without calling the subgraph when every entity is cached', async () => {
    const { fetch } = setUp();
    const comments = subgraph();
    await fetch(entitiesRequest(['r1']), comments.send);
    expect((await fetch(entitiesRequest(['r1']), comments.send)).data?._entities).toEqual([commentsOf('r1')]);
    expect(comments.asked).toHaveLength(1);
  });

  it('keys by the other variables: another page size is another answer', async () => {
    const { fetch } = setUp();
    const comments = subgraph();
    await fetch(entitiesRequest(['r1'], COMMENTS_OF, 5), comments.send);
    await fetch(entitiesRequest(['r1'], COMMENTS_OF, 6), comments.send);
    expect(comments.asked).toHaveLength(2);
  });

  it('serves the same selection under another client operation name from the same entries', async () => {
    const { fetch } = setUp();
    const comments = subgraph();
    await fetch(entitiesRequest(['r1']), comments.send);
    await fetch(entitiesRequest(['r1'], COMMENTS_OF.replace('Page__', 'Renamed__')), comments.send);
    expect(comments.asked).toEqual([['r1']]);
  });

  it('keys by a hash of a long variable, so one request cannot fill the cache with copies of it', async () => {
    const { cache, fetch } = setUp();
    const comments = subgraph();
    const ids = Array.from({ length: 50 }, (_, n) => `r${n}`);
    await fetch(entitiesRequest(ids, COMMENTS_OF, 5, { after: 'x'.repeat(100_000) }), comments.send);
    expect(cache.size).toBe(50);
    expect(cache.bytes).toBeLessThan(50 * 1000);
    await fetch(entitiesRequest(ids, COMMENTS_OF, 5, { after: 'x'.repeat(99_999) }), comments.send);
    expect(comments.asked).toHaveLength(2);
  });

  it('fetches again after an invalidation of the entity, or of its whole type', async () => {
    const { cache, fetch } = setUp();
    const state: Record<string, unknown> = {};
    const comments = subgraph(state);
    await fetch(entitiesRequest(['r1', 'r2']), comments.send);
    state.r1 = { comments: { edges: [] } };
    cache.invalidate(['Recipe:r1'], 'event');
    const response = await fetch(entitiesRequest(['r1', 'r2']), comments.send);
    expect(response.data?._entities).toEqual([{ comments: { edges: [] } }, commentsOf('r2')]);
    cache.invalidate(['Recipe:*'], 'mutation');
    await fetch(entitiesRequest(['r2']), comments.send);
    expect(comments.asked).toEqual([['r1', 'r2'], ['r1'], ['r2']]);
  });

  it('does not keep an answer whose entity changed while it was being fetched', async () => {
    const { cache, fetch } = setUp();
    const comments = subgraph();
    comments.answerWith((representations) => {
      cache.invalidate(['Recipe:r1'], 'event'); // the event arrives while the old answer is on its way
      return { data: { _entities: representations.map(({ id }) => commentsOf(id)) } };
    });
    await fetch(entitiesRequest(['r1', 'r2']), comments.send);
    comments.answerWith(undefined);
    await fetch(entitiesRequest(['r1', 'r2']), comments.send);
    expect(comments.asked).toEqual([['r1', 'r2'], ['r1']]);
  });

  it('never keeps an answer that came with errors, and remaps their paths', async () => {
    const { fetch } = setUp();
    const comments = subgraph();
    await fetch(entitiesRequest(['r1']), comments.send);
    comments.answerWith((representations) => ({
      data: { _entities: representations.map(() => null) },
      errors: [{ message: 'down', path: ['_entities', 1, 'comments'] }],
    }));
    const response = await fetch(entitiesRequest(['r2', 'r1', 'r3']), comments.send);
    expect(response.data?._entities).toEqual([null, commentsOf('r1'), null]);
    expect(response.errors?.[0]?.path).toEqual(['_entities', 2, 'comments']);
    comments.answerWith(undefined);
    await fetch(entitiesRequest(['r2', 'r3']), comments.send);
    expect(comments.asked.at(-1)).toEqual(['r2', 'r3']);
  });

  it('remaps error paths also when the subgraph answers no list of entities', async () => {
    const { fetch } = setUp();
    const comments = subgraph();
    await fetch(entitiesRequest(['r1']), comments.send);
    comments.answerWith(() => ({
      data: { _entities: null },
      errors: [{ message: 'down', path: ['_entities', 0, 'comments'] }],
    }));
    const response = await fetch(entitiesRequest(['r1', 'r2']), comments.send);
    expect(response.errors?.[0]?.path).toEqual(['_entities', 1, 'comments']);
    comments.answerWith(() => ({ data: { _entities: [] }, errors: [{ message: 'short', path: ['_entities', 0] }] }));
    expect((await fetch(entitiesRequest(['r1', 'r3']), comments.send)).errors?.[0]?.path).toEqual(['_entities', 1]);
  });

  it('goes straight to the subgraph while not serving, and for an uncacheable selection', async () => {
    const { cache, fetch, counted } = setUp();
    const comments = subgraph();
    await fetch(entitiesRequest(['r1']), comments.send);
    cache.setServing(false);
    await fetch(entitiesRequest(['r1']), comments.send);
    cache.setServing(true);
    await fetch(entitiesRequest(['r1']), comments.send);
    await fetch(entitiesRequest(['r1'], WITH_COUNT), comments.send);
    await fetch(entitiesRequest(['r1'], WITH_COUNT), comments.send);
    expect(comments.asked).toHaveLength(5);
    expect(counted.bypassed).toEqual(['not-serving', 'uncacheable', 'uncacheable']);
  });
});

describe('a mutation through the cache', () => {
  const mutation = (id: string) =>
    ({
      request: { query: UPDATE, variables: { id, input: { title: 'new' } } },
      incomingRequestContext: {},
      context: { requestId: 'r', viewer: null },
    }) as unknown as Parameters<ReturnType<typeof cachedFetch>>[0];

  it('drops what it touched before its answer goes back, even when it failed', async () => {
    const { fetch } = setUp();
    const comments = subgraph();
    await fetch(entitiesRequest(['r1', 'r2']), comments.send);
    await fetch(mutation('r1'), async () => ({ data: { changed: { title: 'new' } } }));
    await fetch(entitiesRequest(['r1', 'r2']), comments.send);
    await expect(fetch(mutation('r2'), () => Promise.reject(new Error('timeout')))).rejects.toThrow('timeout');
    await fetch(entitiesRequest(['r1', 'r2']), comments.send);
    expect(comments.asked).toEqual([['r1', 'r2'], ['r1'], ['r2']]);
  });

  it('flushes everything for a mutation it does not know', async () => {
    const { fetch } = setUp();
    const comments = subgraph();
    await fetch(entitiesRequest(['r1', 'r2']), comments.send);
    const unknown = mutation('r1');
    unknown.request.query = 'mutation{resetEverything}';
    await fetch(unknown, async () => ({ data: { resetEverything: true } }));
    await fetch(entitiesRequest(['r1', 'r2']), comments.send);
    expect(comments.asked).toEqual([
      ['r1', 'r2'],
      ['r1', 'r2'],
    ]);
  });
});

describe('the store', () => {
  it('holds at most maxBytes, dropping the least recently used', () => {
    const cache = new EntityCache({ maxBytes: 10_000, ttlMs: 60_000 });
    cache.setServing(true);
    const big = JSON.stringify({ text: 'x'.repeat(1000) });
    for (let n = 0; n < 50; n++) cache.set(`k${n}`, `Recipe:${n}`, big, cache.mark());
    expect(cache.bytes).toBeLessThanOrEqual(10_000);
    expect(cache.get('k49', 'Recipe:49')).toBe(big);
    expect(cache.get('k0', 'Recipe:0')).toBeUndefined();
  });

  it('drops an answer after the TTL', async () => {
    const cache = new EntityCache({ maxBytes: 10_000, ttlMs: 30 });
    cache.setServing(true);
    cache.set('k', 'Recipe:1', '{}', cache.mark());
    expect(cache.get('k', 'Recipe:1')).toBe('{}');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(cache.get('k', 'Recipe:1')).toBeUndefined();
  });

  it('forgets everything when it stops or starts serving', () => {
    const cache = new EntityCache({ maxBytes: 10_000, ttlMs: 60_000 });
    cache.setServing(true);
    const before = cache.mark();
    cache.set('k', 'Recipe:1', '{}', before);
    cache.setServing(false);
    cache.setServing(true);
    expect(cache.get('k', 'Recipe:1')).toBeUndefined();
    cache.set('k', 'Recipe:1', '{}', before); // an answer fetched before the gap
    expect(cache.get('k', 'Recipe:1')).toBeUndefined();
  });
});
