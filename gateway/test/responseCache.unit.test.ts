import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { cachedFetch, CACHE_MARK_HEADER, type Send } from '../src/entityCache/cachedFetch.js';
import { EntityCache } from '../src/entityCache/entityCache.js';
import { ResponseCache, responseKeyOf } from '../src/entityCache/responseCache.js';
import { declaredVariables } from '../src/entityCache/responsePlugin.js';

const api = buildSchema(readFileSync(new URL('../../schema/api.graphql', import.meta.url), 'utf8'));
const PAGE = `query Page__recipes__0($after:String){recipes(first:2 after:$after){edges{node{__typename id title}}}}`;
const PAGE_WITH_COUNT = `query Count__recipes__0{recipes(first:2){edges{node{__typename id commentCount}}}}`;
const COMMENTS_OF = `query Page__comments__1($representations:[_Any!]!){_entities(representations:$representations){...on Recipe{comments(first:5){totalCount}}}}`;
const VIEWER = `query Me__recipes__0{viewer{id name}}`;

function setUp() {
  const entities = new EntityCache({ maxBytes: 1024 * 1024, ttlMs: 60_000 });
  entities.setServing(true);
  const lookups: string[] = [];
  const responses = new ResponseCache({ maxBytes: 1024 * 1024, ttlMs: 60_000 }, entities, {
    lookedUp: (result) => lookups.push(result),
  });
  const marks: Array<string | null> = [];
  let failing = false;
  const send: Send = async (options) => {
    marks.push(options.request.http?.headers.get(CACHE_MARK_HEADER) ?? null);
    if (failing) {
      failing = false;
      return { data: { recipes: null }, errors: [{ message: 'the subgraph failed' }] };
    }
    const representations = options.request.variables?.representations as Array<{ id: string }> | undefined;
    if (representations) return { data: { _entities: representations.map(() => ({ comments: { totalCount: 1 } })) } };
    return { data: { recipes: { edges: [] } } };
  };
  const fetch = cachedFetch({ cache: entities, metrics: noMetrics, subgraph: 's', responses, schema: () => api });
  /** One client query: looked up, and on a miss its fetches sent through the cache and its answer offered. */
  async function query(key: string, fetches: Array<{ query: string; variables?: Record<string, unknown> }>) {
    const context = { requestId: key, viewer: null };
    const kept = responses.lookUp(context, key);
    if (kept) return kept;
    for (const { query: text, variables } of fetches) {
      await fetch(
        {
          request: { query: text, variables, http: { method: 'POST', url: '', headers: new Headers() } },
          incomingRequestContext: {},
          context,
        } as unknown as Parameters<typeof fetch>[0],
        send,
      );
    }
    const data = { page: key };
    responses.keep(context, { data });
    return undefined;
  }
  return { entities, responses, lookups, marks, query, failNext: () => (failing = true) };
}

const noMetrics = { lookedUp: () => undefined, bypassed: () => undefined, invalidated: () => undefined };
const recipe = (id: string) => ({ __typename: 'Recipe', id });
const pageWithComments = [
  { query: PAGE, variables: { after: null } },
  { query: COMMENTS_OF, variables: { representations: [recipe('r1'), recipe('r2')] } },
];

describe('the response cache', () => {
  it('keeps a page whose every fetch may be kept, until an event about the list or one of its recipes', async () => {
    const { entities, lookups, query } = setUp();
    expect(await query('page', pageWithComments)).toBeUndefined();
    expect(await query('page', pageWithComments)).toEqual({ page: 'page' });
    entities.invalidate(['Recipe:r2'], 'event');
    expect(await query('page', pageWithComments)).toBeUndefined();
    expect(await query('page', pageWithComments)).toEqual({ page: 'page' });
    entities.invalidate(['Recipe[]:*'], 'event');
    expect(await query('page', pageWithComments)).toBeUndefined();
    entities.invalidate(['Recipe:other', 'Comment:c'], 'event');
    expect(await query('page', pageWithComments)).toEqual({ page: 'page' });
    expect(lookups).toEqual(['miss', 'hit', 'miss', 'hit', 'miss', 'hit']);
  });

  it('does not keep a response whose fetch selected an uncacheable field or the viewer', async () => {
    const { query } = setUp();
    for (const fetches of [[{ query: PAGE_WITH_COUNT }], [{ query: VIEWER }]]) {
      await query('q', fetches);
      expect(await query('q', fetches)).toBeUndefined();
    }
  });

  it('does not keep a response when a subgraph answered with an error, even if the client response had none', async () => {
    const { query, failNext } = setUp();
    failNext();
    await query('page', pageWithComments);
    expect(await query('page', pageWithComments)).toBeUndefined();
    expect(await query('page', pageWithComments)).toEqual({ page: 'page' });
  });

  it('does not keep a response when what it used changed while it was on its way', async () => {
    const { entities, responses } = setUp();
    const context = {};
    responses.lookUp(context, 'k');
    responses.note(context, ['Recipe[]:*']);
    entities.invalidate(['Recipe[]:*'], 'event');
    responses.keep(context, { data: { stale: true } });
    expect(responses.lookUp({}, 'k')).toBeUndefined();
  });

  it('serves nothing while the events do not arrive, and nothing from before a gap afterwards', async () => {
    const { entities, lookups, query } = setUp();
    await query('page', pageWithComments);
    entities.setServing(false);
    expect(await query('page', pageWithComments)).toBeUndefined();
    entities.setServing(true);
    expect(await query('page', pageWithComments)).toBeUndefined();
    expect(lookups).toEqual(['miss', 'not-serving', 'miss']);
  });

  it('marks a recorded root fetch with the request’s mark, so it never joins a call sent before an invalidation it saw', async () => {
    const { entities, marks, query } = setUp();
    entities.invalidate(['Recipe[]:*'], 'event');
    await query('page', [{ query: PAGE, variables: { after: null } }]);
    expect(marks).toEqual([String(entities.mark())]);
  });

  it('keys by query, operation and variables, and hands out frozen answers', async () => {
    const { responses } = setUp();
    const keys = new Set([
      responseKeyOf('h1', null, {}),
      responseKeyOf('h1', 'A', {}),
      responseKeyOf('h2', null, {}),
      responseKeyOf('h1', null, { after: 'x' }),
    ]);
    expect(keys.size).toBe(4);
    const context = {};
    responses.lookUp(context, 'k');
    responses.keep(context, { data: { recipes: { edges: [{ node: { id: 'r1' } }] } } });
    const kept = responses.lookUp({}, 'k') as { recipes: { edges: Array<{ node: { id: string } }> } };
    expect(() => {
      kept.recipes.edges[0]!.node.id = 'changed';
    }).toThrow(TypeError);
  });
});

describe('the response key', () => {
  const operationOf = (query: string) => parse(query).definitions[0] as OperationDefinitionNode;

  it('holds only the variables the operation declares, in its order', () => {
    const operation = operationOf(
      'query($after: String, $first: Int) { recipes(first: $first, after: $after) { edges { cursor } } }',
    );
    const key = (variables: Record<string, unknown>) =>
      responseKeyOf('h', null, declaredVariables(operation, variables));
    expect(key({ first: 2, after: 'x' })).toBe(key({ after: 'x', first: 2 }));
    expect(key({ first: 2, after: 'x', unused: 'spam' })).toBe(key({ after: 'x', first: 2 }));
    expect(key({ first: 2, after: 'y' })).not.toBe(key({ after: 'x', first: 2 }));
    expect(key({ first: 2 })).not.toBe(key({ first: 2, after: null }));
  });
});
