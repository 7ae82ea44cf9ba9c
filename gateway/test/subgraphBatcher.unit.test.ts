import { AsyncLocalStorage } from 'node:async_hooks';
import fc from 'fast-check';
import { buildSchema, graphql, GraphQLError } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  MERGE_COOLDOWN_MS,
  SMALLER_MERGES_MS,
  SubgraphBatcher,
  type PlannedFetch,
  type SendBody,
} from '../src/batching/subgraphBatcher.js';
import type { GatewayGraphQLResponse } from '../src/subgraphAnswers.js';

/*
 * The batcher in front of a subgraph that is graphql-js executing a schema: a merged query is
 * parsed, validated and run for real, so what each request gets back can be compared with what
 * the same fetch gets sent alone.
 */

const schema = buildSchema(`
  type Query {
    item(id: ID!): Item
    items(ids: [ID!]!): [Item]!
    mustItem(id: ID!): Item!
    echo(text: String = "none"): String
  }
  type Item { id: ID! name: String! broken: String }
`);

const item = (id: string) => ({
  id,
  name: `item ${id}`,
  broken: () => {
    if (id.endsWith('x')) throw new Error(`item ${id} is broken`);
    return 'fine';
  },
});

const rootValue = {
  item: ({ id }: { id: string }) => (id === 'none' ? null : item(id)),
  items: ({ ids }: { ids: string[] }) => ids.map((id) => (id === 'none' ? null : item(id))),
  mustItem: ({ id }: { id: string }) => {
    if (id.startsWith('missing')) throw new GraphQLError(`no item ${id}`, { extensions: { code: 'NOT_FOUND' } });
    return item(id);
  },
  echo: ({ text }: { text: string }) => text,
};

/** What a subgraph answers a body: its JSON, or what a data source throws for a request it refuses whole. */
async function execute(body: string): Promise<GatewayGraphQLResponse> {
  const { query, variables, operationName } = JSON.parse(body) as PlannedFetch;
  const result = JSON.parse(
    JSON.stringify(await graphql({ schema, source: query, variableValues: variables, operationName, rootValue })),
  ) as GatewayGraphQLResponse;
  if (!('data' in result)) throw new GraphQLError('400: Bad Request', { extensions: { response: result } });
  return result;
}

function recordingSend(answer: (body: string) => Promise<GatewayGraphQLResponse> = execute) {
  const bodies: string[] = [];
  const send: SendBody = (body) => {
    bodies.push(body);
    return answer(body);
  };
  return { bodies, send };
}

const QUERIES = {
  item: 'query Item__s__0($id:ID!){item(id:$id){id name broken}}',
  items: 'query Items__s__1($ids:[ID!]!){items(ids:$ids){id name broken}}',
  must: 'query Must__s__0($id:ID!){mustItem(id:$id){id name}}',
  echo: 'query Echo__s__0($text:String){echo(text:$text) again: echo}',
  fragment: 'query Frag__s__0{...F} fragment F on Query{echo}',
  // Aliases a client may write, planned as they are: ones like merged aliases, one naming Object's prototype.
  aliased:
    'query Aliased__s__0($id:ID!){_b0_x:item(id:$id){id} b1k0:item(id:$id){name} __proto__:item(id:$id){name} b0k1:echo constructor:echo}',
  // A root field kept or skipped by a variable, and a variable's default.
  included: 'query Included__s__0($on:Boolean!,$text:String="default"){echo(text:$text)@include(if:$on) __typename}',
};

const IDS = ['1', '2', '3x', 'none', 'missing-1'];

const fetchArbitrary: fc.Arbitrary<{ fetch: PlannedFetch; key: string }> = fc.record({
  fetch: fc.oneof(
    fc.constantFrom(...IDS).map((id) => ({ query: QUERIES.item, variables: { id }, operationName: 'Item__s__0' })),
    fc
      .array(fc.constantFrom(...IDS), { maxLength: 3 })
      .map((ids) => ({ query: QUERIES.items, variables: { ids }, operationName: 'Items__s__1' })),
    fc.constantFrom(...IDS).map((id) => ({ query: QUERIES.must, variables: { id }, operationName: 'Must__s__0' })),
    // A variable of the wrong type: the subgraph refuses the request whole.
    fc.constant({ query: QUERIES.must, variables: { id: { not: 'an id' } }, operationName: 'Must__s__0' }),
    fc
      .option(fc.constantFrom('a', 'b', '"quoted"'), { nil: undefined })
      .map((text) => ({ query: QUERIES.echo, variables: text === undefined ? {} : { text } })),
    fc.constant({ query: QUERIES.fragment }),
    fc.constantFrom(...IDS).map((id) => ({ query: QUERIES.aliased, variables: { id } })),
    fc
      .record({ on: fc.boolean(), text: fc.option(fc.constantFrom('x', 'y'), { nil: undefined }) })
      .map(({ on, text }) => ({ query: QUERIES.included, variables: text === undefined ? { on } : { on, text } })),
  ),
  key: fc.constantFrom('viewer:a', 'viewer:b'),
});

/** Holds one call of `batcher` in flight until released, so fetches gather instead of going at once. */
function keepBusy(batcher: SubgraphBatcher): () => void {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  void batcher.fetch({ query: QUERIES.echo, variables: {} }, 'viewer:blocker', undefined, async () => {
    await held;
    return { data: {} };
  });
  return release;
}

/** Fetches of `query` for one viewer, one per id, all at once, each outcome settled. */
function fetchAll(batcher: SubgraphBatcher, query: string, send: SendBody, ids: string[]) {
  return Promise.allSettled(ids.map((id) => batcher.fetch({ query, variables: { id } }, 'viewer:a', undefined, send)));
}

type Outcome = { answer: GatewayGraphQLResponse } | { error: string };

/** An answer or what was thrown; errors without `locations`, which a merged answer leaves out (they point into its text). */
async function outcomeOf(answer: Promise<GatewayGraphQLResponse>): Promise<Outcome> {
  try {
    const { errors, ...rest } = await answer;
    if (!errors) return { answer: rest };
    return { answer: { ...rest, errors: errors.map(({ locations: _ignored, ...error }) => error) } };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe('SubgraphBatcher', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('gives every concurrent fetch what it gets sent alone', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fetchArbitrary, { minLength: 1, maxLength: 14 }),
        fc.integer({ min: 2, max: 6 }),
        fc.boolean(),
        async (fetches, maxFetches, busy) => {
          const { bodies, send } = recordingSend();
          let resent = 0;
          const batcher = new SubgraphBatcher({
            maxFetches,
            observer: { sent: () => {}, resent: (n) => (resent += n) },
          });
          // Busy: a call is in flight already, so even the first fetch waits for company.
          const release = busy ? keepBusy(batcher) : () => {};
          const answers = fetches.map(({ fetch, key }) => batcher.fetch(fetch, key, undefined, send));
          const together = await Promise.all(answers.map(outcomeOf));
          const alone = await Promise.all(fetches.map(({ fetch }) => outcomeOf(execute(JSON.stringify(fetch)))));
          release();
          expect(together).toEqual(alone);
          // One call per fetch at most, but for the merged calls sent again fetch by fetch.
          expect(bodies.length).toBeLessThanOrEqual(fetches.length + resent);
          // No two requests hold the same object, at any depth, errors included.
          const owners = new Map<object, number>();
          together.forEach((outcome, index) => {
            const walk = (value: unknown): void => {
              if (typeof value !== 'object' || value === null) return;
              expect(owners.get(value) ?? index, 'an object two requests share').toBe(index);
              owners.set(value, index);
              for (const inner of Object.values(value)) walk(inner);
            };
            if ('answer' in outcome) walk(outcome.answer);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('sends fetches of one query and viewer as one call, at most maxFetches to a call', async () => {
    const { bodies, send } = recordingSend();
    const batcher = new SubgraphBatcher({ maxFetches: 4 });
    const release = keepBusy(batcher);
    const ids = ['1', '2', '3', '4', '5', '6'];
    const answers = await Promise.all(
      ids.map((id) => batcher.fetch({ query: QUERIES.item, variables: { id } }, 'viewer:a', `request-${id}`, send)),
    );
    expect(answers.map((answer) => (answer.data?.item as { id: string }).id)).toEqual(ids);
    expect(bodies).toHaveLength(2);
    expect((JSON.parse(bodies[0]!) as PlannedFetch).variables).toEqual({
      b0_id: '1',
      b1_id: '2',
      b2_id: '3',
      b3_id: '4',
    });
    release();
  });

  it('never merges the fetches of different viewers', async () => {
    const { bodies, send } = recordingSend();
    const batcher = new SubgraphBatcher({ maxFetches: 16 });
    const release = keepBusy(batcher);
    await Promise.all([
      batcher.fetch({ query: QUERIES.item, variables: { id: '1' } }, 'viewer:a', undefined, send),
      batcher.fetch({ query: QUERIES.item, variables: { id: '2' } }, 'viewer:b', undefined, send),
    ]);
    release();
    expect(bodies).toHaveLength(2);
    expect(bodies.every((body) => !body.includes('b0_id'))).toBe(true);
  });

  it('sends a fetch at once while none of its calls is in flight, and gathers the others for a turn', async () => {
    const { bodies, send } = recordingSend();
    const batcher = new SubgraphBatcher({ maxFetches: 16 });
    const fetch = (id: string) => ({ query: QUERIES.item, variables: { id }, operationName: 'Item__s__0' });
    const first = batcher.fetch(fetch('1'), 'viewer:a', undefined, send);
    expect(bodies).toEqual([JSON.stringify(fetch('1'))]);
    const later = [
      batcher.fetch(fetch('2'), 'viewer:a', undefined, send),
      batcher.fetch(fetch('3'), 'viewer:a', undefined, send),
    ];
    expect(bodies).toHaveLength(1);
    await Promise.all([first, ...later]);
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toContain('b1k0:item');
  });

  it('sends a lone fetch exactly as planned, so identical ones in flight can still share it', async () => {
    const { bodies, send } = recordingSend();
    const batcher = new SubgraphBatcher({ maxFetches: 16 });
    const release = keepBusy(batcher);
    const fetch = { query: QUERIES.item, variables: { id: '1' }, operationName: 'Item__s__0' };
    const [one, same] = await Promise.all([
      batcher.fetch(fetch, 'viewer:a', undefined, send),
      batcher.fetch(fetch, 'viewer:a', undefined, send),
    ]);
    expect(bodies).toEqual([JSON.stringify(fetch)]);
    expect(same).toEqual(one);
    expect(same).not.toBe(one);
    release();
  });

  it('sends a mutation, or a fetch with extensions, as it is and alone', async () => {
    const { bodies, send } = recordingSend(async () => ({ data: { ok: true } }));
    const batcher = new SubgraphBatcher({ maxFetches: 16 });
    const mutation = { query: 'mutation M($id:ID!){deleteRecipe(id:$id)}', variables: { id: '1' } };
    const withExtensions = { query: QUERIES.item, variables: { id: '1' }, extensions: { persistedQuery: 1 } };
    await Promise.all([
      batcher.fetch(mutation, 'viewer:a', undefined, send),
      batcher.fetch({ ...mutation, variables: { id: '2' } }, 'viewer:a', undefined, send),
      batcher.fetch(withExtensions, 'viewer:a', undefined, send),
      batcher.fetch({ ...withExtensions, variables: { id: '2' } }, 'viewer:a', undefined, send),
    ]);
    expect(bodies).toEqual([
      JSON.stringify(mutation),
      JSON.stringify({ ...mutation, variables: { id: '2' } }),
      JSON.stringify(withExtensions),
      JSON.stringify({ ...withExtensions, variables: { id: '2' } }),
    ]);
  });

  it('tells every fetch of a merged call that timed out, sends nothing again, and merges half as many for a while', async () => {
    const now = vi.spyOn(performance, 'now').mockReturnValue(1_000);
    const merged = (body: string) => (body.match(/b\d+k0:item/g) ?? []).length;
    const { bodies, send } = recordingSend(async (body) => {
      if (merged(body) > 2) throw new GraphQLError('late', { extensions: { code: 'SUBGRAPH_TIMEOUT' } });
      return execute(body);
    });
    const batcher = new SubgraphBatcher({ maxFetches: 16 });
    keepBusy(batcher);
    const ids = ['1', '2', '3', '4'];
    const first = await fetchAll(batcher, QUERIES.item, send, ids);
    expect(
      first.map((outcome) => outcome.status === 'rejected' && (outcome.reason as GraphQLError).extensions.code),
    ).toEqual(['SUBGRAPH_TIMEOUT', 'SUBGRAPH_TIMEOUT', 'SUBGRAPH_TIMEOUT', 'SUBGRAPH_TIMEOUT']);
    expect(new Set(first.map((outcome) => (outcome as PromiseRejectedResult).reason)).size).toBe(4);
    expect(bodies.map(merged)).toEqual([4]);
    bodies.length = 0;
    const second = await fetchAll(batcher, QUERIES.item, send, ids);
    expect(second.every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    expect(bodies.map(merged)).toEqual([2, 2]);
    bodies.length = 0;
    now.mockReturnValue(1_000 + SMALLER_MERGES_MS);
    await fetchAll(batcher, QUERIES.item, send, ids);
    expect(bodies.map(merged)).toEqual([4]);
  });

  it('counts every call it sends and how many distinct fetches it carried', async () => {
    const counted: number[] = [];
    const { bodies, send } = recordingSend();
    const batcher = new SubgraphBatcher({
      maxFetches: 16,
      observer: { sent: (n) => counted.push(n), resent: () => {} },
    });
    await fetchAll(batcher, QUERIES.item, send, ['1', '2', '2', '3']);
    keepBusy(batcher);
    await fetchAll(batcher, QUERIES.must, send, ['missing-1', '2']);
    // Alone (nothing in flight); merged (2, 2 once, 3); the busy call; merged, a null data, then each alone.
    expect(counted).toEqual([1, 2, 1, 2, 1, 1]);
    bodies.length = 0;
    await fetchAll(batcher, QUERIES.echo, send, ['x']);
    expect(counted.at(-1)).toBe(1);
    expect(bodies).toHaveLength(1);
  });

  it('undoes only its own halving when a fetch turns out too big alone', async () => {
    const now = vi.spyOn(performance, 'now').mockReturnValue(1_000);
    const merged = (body: string) => (body.match(/b\d+k0:item/g) ?? []).length;
    const { bodies, send } = recordingSend(async (body) => {
      if (merged(body) > 2 || body.includes('"huge"')) {
        throw new GraphQLError('too many aliases', { extensions: { code: 'TOO_MANY_ALIASES' } });
      }
      return execute(body);
    });
    const batcher = new SubgraphBatcher({ maxFetches: 16 });
    keepBusy(batcher);
    // One turn, two viewers: both merged calls refused; only viewer a's has a fetch too big alone.
    await Promise.allSettled([
      ...['huge', '1', '2', '3'].map((id) =>
        batcher.fetch({ query: QUERIES.item, variables: { id } }, 'viewer:a', undefined, send),
      ),
      ...['4', '5', '6', '7'].map((id) =>
        batcher.fetch({ query: QUERIES.item, variables: { id } }, 'viewer:b', undefined, send),
      ),
    ]);
    bodies.length = 0;
    now.mockReturnValue(1_000 + MERGE_COOLDOWN_MS);
    await fetchAll(batcher, QUERIES.item, send, ['1', '2', '3', '4']);
    expect(bodies.map(merged)).toEqual([2, 2]);
  });

  it('tells every fetch of a call to an unreachable subgraph, and sends nothing again', async () => {
    const { bodies, send } = recordingSend(() =>
      Promise.reject(new GraphQLError('down', { extensions: { code: 'SUBGRAPH_UNAVAILABLE' } })),
    );
    const batcher = new SubgraphBatcher({ maxFetches: 16 });
    keepBusy(batcher);
    const outcomes = await Promise.allSettled(
      ['1', '2', '3'].map((id) =>
        batcher.fetch({ query: QUERIES.item, variables: { id } }, 'viewer:a', undefined, send),
      ),
    );
    expect(bodies).toHaveLength(1);
    const errors = outcomes.map((outcome) => (outcome as PromiseRejectedResult).reason as GraphQLError);
    expect(errors.map((error) => error.extensions.code)).toEqual([
      'SUBGRAPH_UNAVAILABLE',
      'SUBGRAPH_UNAVAILABLE',
      'SUBGRAPH_UNAVAILABLE',
    ]);
    expect(new Set(errors).size).toBe(3);
  });

  it.each([
    ['an error on no request path', { data: { b0k0: null, b1k0: null }, errors: [{ message: 'whose?' }] }],
    ['a null in the errors', { data: {}, errors: [null] }],
    ['errors that are not a list', { data: {}, errors: {} }],
    ['data that is a list', { data: [] }],
  ])('sends each fetch again alone when a merged answer has %s, and settles every one', async (_what, broken) => {
    const { bodies, send } = recordingSend(async (body) =>
      body.includes('b1_id') ? (broken as unknown as GatewayGraphQLResponse) : execute(body),
    );
    const batcher = new SubgraphBatcher({ maxFetches: 16 });
    keepBusy(batcher);
    const answers = await Promise.all(
      ['1', '2'].map((id) => batcher.fetch({ query: QUERIES.item, variables: { id } }, 'viewer:a', undefined, send)),
    );
    expect(answers.map((answer) => (answer.data?.item as { id: string }).id)).toEqual(['1', '2']);
    expect(bodies).toHaveLength(1 + 2);
  });

  it('sends a text alone for a while after a merged call of it failed as a whole', async () => {
    const now = vi.spyOn(performance, 'now');
    const { bodies, send } = recordingSend();
    const batcher = new SubgraphBatcher({ maxFetches: 16 });
    keepBusy(batcher);
    now.mockReturnValue(1_000);
    await fetchAll(batcher, QUERIES.must, send, ['1', 'missing-1', '2']);
    expect(bodies).toHaveLength(1 + 3);
    bodies.length = 0;
    now.mockReturnValue(1_000 + MERGE_COOLDOWN_MS - 1);
    await fetchAll(batcher, QUERIES.must, send, ['1', '2', '3']);
    expect(bodies).toHaveLength(3);
    bodies.length = 0;
    now.mockReturnValue(1_000 + MERGE_COOLDOWN_MS);
    await fetchAll(batcher, QUERIES.must, send, ['1', '2', '3']);
    expect(bodies).toHaveLength(1);
  });

  it('halves what it merges of a query the subgraph refuses as too big, for a while, and answers the refused ones alone', async () => {
    const now = vi.spyOn(performance, 'now');
    const resent: number[] = [];
    const merged = (body: string) => (body.match(/b\d+k0:item/g) ?? []).length;
    const { bodies, send } = recordingSend(async (body) => {
      if (merged(body) > 2) throw new GraphQLError('too many aliases', { extensions: { code: 'TOO_MANY_ALIASES' } });
      return execute(body);
    });
    const batcher = new SubgraphBatcher({
      maxFetches: 16,
      observer: { sent: () => {}, resent: (n) => resent.push(n) },
    });
    keepBusy(batcher);
    const ids = ['1', '2', '3', '4'];
    now.mockReturnValue(1_000);
    const first = await fetchAll(batcher, QUERIES.item, send, ids);
    expect(first.map((outcome) => outcome.status === 'fulfilled' && outcome.value.data?.item)).toEqual(
      ids.map((id) => expect.objectContaining({ id })),
    );
    expect(bodies.map(merged)).toEqual([4, 0, 0, 0, 0]);
    expect(resent).toEqual([4]);
    bodies.length = 0;
    now.mockReturnValue(1_000 + MERGE_COOLDOWN_MS);
    await fetchAll(batcher, QUERIES.item, send, ids);
    expect(bodies.map(merged)).toEqual([2, 2]);
    bodies.length = 0;
    now.mockReturnValue(1_000 + SMALLER_MERGES_MS);
    await fetchAll(batcher, QUERIES.item, send, ids);
    expect(bodies.map(merged)[0]).toBe(4);
  });

  it('keeps merging as many when a fetch is refused as too big even alone', async () => {
    const now = vi.spyOn(performance, 'now');
    const { bodies, send } = recordingSend(async (body) => {
      if (body.includes('"huge"')) throw new GraphQLError('too costly', { extensions: { code: 'QUERY_TOO_COSTLY' } });
      return execute(body);
    });
    const batcher = new SubgraphBatcher({ maxFetches: 16 });
    keepBusy(batcher);
    now.mockReturnValue(1_000);
    await fetchAll(batcher, QUERIES.item, send, ['huge', '1']);
    bodies.length = 0;
    now.mockReturnValue(1_000 + MERGE_COOLDOWN_MS);
    await fetchAll(batcher, QUERIES.item, send, ['1', '2', '3', '4']);
    expect(bodies).toHaveLength(1);
  });

  it('sends the merged call in the async context of the first request in it', async () => {
    const storage = new AsyncLocalStorage<string>();
    const seen: Array<string | undefined> = [];
    const batcher = new SubgraphBatcher({ maxFetches: 2 });
    keepBusy(batcher);
    const send: SendBody = (body) => {
      seen.push(storage.getStore());
      return execute(body);
    };
    await Promise.all(
      ['1', '2', '3', '4'].map((id) =>
        storage.run(`request-${id}`, () =>
          batcher.fetch({ query: QUERIES.item, variables: { id } }, 'viewer:a', `request-${id}`, send),
        ),
      ),
    );
    expect(seen).toEqual(['request-1', 'request-3']);
  });
});
