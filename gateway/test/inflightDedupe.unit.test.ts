import { describe, expect, it } from 'vitest';
import { GATEWAY_CREDENTIAL_HEADER } from '@potluck/identity';
import { dedupeInflight, dedupeKeyOf } from '../src/inflightDedupe.js';
import type { SubgraphAnswer, SubgraphRequestInit } from '../src/subgraphCall.js';

const URL = 'http://127.0.0.1:4001/graphql';
const QUERY = JSON.stringify({ query: 'query Page__recipes__0{recipes(first:20){edges{node{id}}}}', variables: {} });
const MUTATION = JSON.stringify({
  query: 'mutation Create__recipes__0($input:CreateRecipeInput!){createRecipe(input:$input){id}}',
});

const CREDENTIAL = { [GATEWAY_CREDENTIAL_HEADER]: 'anonymous-credential' };

const post = (body: string, headers: Record<string, string> = {}): SubgraphRequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...CREDENTIAL, ...headers },
  body,
});

/** A subgraph that answers only when told to, counting the calls it received. */
function controlledSubgraph() {
  const calls: Array<{ release(body: string): void; fail(error: Error): void }> = [];
  const fetch = (_url: string, _init?: SubgraphRequestInit) =>
    new Promise<SubgraphAnswer>((resolve, reject) => {
      calls.push({ release: (body) => resolve({ status: 200, headers: [], body }), fail: reject });
    });
  return { calls, fetch: dedupeInflight(fetch) };
}

describe('dedupeInflight', () => {
  it('sends concurrent identical queries once and gives each caller its own copy of the answer', async () => {
    const subgraph = controlledSubgraph();
    const first = subgraph.fetch(URL, post(QUERY, { 'x-request-id': 'a' }));
    const second = subgraph.fetch(URL, post(QUERY, { 'x-request-id': 'b' }));
    expect(subgraph.calls).toHaveLength(1);
    subgraph.calls[0]!.release('{"data":{"recipes":{"edges":[]}}}');
    const [a, b] = await Promise.all([first, second]);
    const [bodyA, bodyB] = [JSON.parse(a.body) as unknown, JSON.parse(b.body) as unknown];
    expect(bodyA).toEqual({ data: { recipes: { edges: [] } } });
    expect(bodyB).toEqual(bodyA);
    expect(bodyB).not.toBe(bodyA);
  });

  it('tells each caller that joins a call the request id that call carries', async () => {
    const joined: Array<string | undefined> = [];
    const calls: Array<(body: string) => void> = [];
    const fetch = dedupeInflight(
      () => new Promise<SubgraphAnswer>((resolve) => calls.push((body) => resolve({ status: 200, headers: [], body }))),
      { onJoin: (requestId) => joined.push(requestId) },
    );
    const answers = [
      fetch(URL, post(QUERY, { 'X-Request-Id': 'lead' })),
      fetch(URL, post(QUERY, { 'x-request-id': 'second' })),
      fetch(URL, post(QUERY, { 'x-request-id': 'third' })),
    ];
    expect(joined).toEqual(['lead', 'lead']);
    calls[0]!('{"data":{}}');
    await Promise.all(answers);
  });

  it('never shares a call between different credentials, and never shares mutations', async () => {
    const subgraph = controlledSubgraph();
    void subgraph.fetch(URL, post(QUERY, { authorization: 'Bearer ana' }));
    void subgraph.fetch(URL, post(QUERY, { authorization: 'Bearer bo' }));
    void subgraph.fetch(URL, post(MUTATION));
    void subgraph.fetch(URL, post(MUTATION));
    expect(subgraph.calls).toHaveLength(4);
  });

  it('is not a cache: once the answer is in, the next query is sent again', async () => {
    const subgraph = controlledSubgraph();
    const first = subgraph.fetch(URL, post(QUERY));
    subgraph.calls[0]!.release('{"data":{}}');
    await first;
    void subgraph.fetch(URL, post(QUERY));
    expect(subgraph.calls).toHaveLength(2);
  });

  it('passes a failure to every caller that shared the call, and forgets it', async () => {
    const subgraph = controlledSubgraph();
    const calls = [subgraph.fetch(URL, post(QUERY)), subgraph.fetch(URL, post(QUERY))];
    subgraph.calls[0]!.fail(new Error('ECONNREFUSED'));
    await expect(Promise.all(calls)).rejects.toThrow('ECONNREFUSED');
    void subgraph.fetch(URL, post(QUERY));
    expect(subgraph.calls).toHaveLength(2);
  });
});

describe('dedupeKeyOf', () => {
  it('ignores the request id and header order, but not the body or the URL', () => {
    const key = dedupeKeyOf(URL, post(QUERY, { 'x-request-id': 'a', authorization: 'x' }));
    expect(
      dedupeKeyOf(URL, {
        ...post(QUERY),
        headers: { authorization: 'x', ...CREDENTIAL, 'content-type': 'application/json' },
      }),
    ).toBe(key);
    expect(dedupeKeyOf(URL, post(`${QUERY} `, { authorization: 'x' }))).not.toBe(key);
    expect(dedupeKeyOf('http://127.0.0.1:4002/graphql', post(QUERY, { authorization: 'x' }))).not.toBe(key);
    expect(dedupeKeyOf(URL, post(MUTATION))).toBeUndefined();
    // A body that does not visibly start with a query is never shared, whatever it holds.
    const reordered = JSON.stringify({ variables: {}, query: 'mutation M{deleteRecipe(id:"1")}' });
    expect(dedupeKeyOf(URL, post(reordered))).toBeUndefined();
    expect(dedupeKeyOf(URL, post(JSON.stringify({ query: '{recipes{totalCount}}' })))).toBeDefined();
  });

  it('shares only calls that name their viewer: another credential is another call, none is never shared', () => {
    const key = dedupeKeyOf(URL, post(QUERY));
    expect(dedupeKeyOf(URL, post(QUERY, { [GATEWAY_CREDENTIAL_HEADER]: 'ana-credential' }))).not.toBe(key);
    expect(
      dedupeKeyOf(URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: QUERY }),
    ).toBeUndefined();
  });
});
