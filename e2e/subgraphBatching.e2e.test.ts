import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphqlRequest, parsePrometheusText, sampleValue, TEST_USER, type GraphQLResponse } from '@potluck/testing';
import { stopService, type ServiceProcess } from '../scripts/stack.js';
import { startAnotherGateway, useStack } from './stack.js';

/*
 * Concurrent requests whose subgraph queries the gateway sends as one call (`SUBGRAPH_BATCH_MAX`,
 * on by default) get exactly what a gateway sending every query alone answers: the same pages,
 * each viewer its own, an error only where it belongs.
 */

const stack = useStack();
const OTHER_USER = { id: 'user-batching-2', name: 'Bo', roles: [] };
let unbatched: { url: string; service: ServiceProcess };
const cursors: string[] = [];

const PAGE = `query Page($after: String) {
  recipes(first: 3, after: $after) {
    edges { cursor node { id title price comments(first: 2) { totalCount edges { node { id text author { id name } } } } } }
  }
}`;
const VIEWER = 'query Me { viewer { id name } recipes(first: 1) { totalCount } }';

interface Ask {
  query: string;
  variables?: Record<string, unknown>;
  user?: typeof TEST_USER | null;
}

async function ask(url: string, { query, variables = {}, user = null }: Ask): Promise<GraphQLResponse> {
  const headers = user ? await stack.identities.bearer(user) : {};
  const { data, errors } = await graphqlRequest(url, query, variables, headers, { as: null });
  return { data, errors } as GraphQLResponse;
}

const metricsOf = async (graphqlUrl: string) =>
  parsePrometheusText(await (await fetch(graphqlUrl.replace(/\/graphql$/, '/metrics'))).text());

/** From the gateway's metrics: calls to `subgraph`, those that carried more than one request's query, and fetches sent again alone. */
async function batching(subgraph: string): Promise<{ calls: number; merged: number; resent: number }> {
  const samples = await metricsOf(stack.gatewayUrl);
  const calls = sampleValue(samples, 'potluck_gateway_subgraph_batch_fetches_count', { subgraph }) ?? 0;
  const alone = sampleValue(samples, 'potluck_gateway_subgraph_batch_fetches_bucket', { subgraph, le: '1' }) ?? 0;
  const resent = sampleValue(samples, 'potluck_gateway_subgraph_batch_resent_total', { subgraph }) ?? 0;
  return { calls, merged: calls - alone, resent };
}

/** From the comments subgraph's metrics: operations it ran compiled by graphql-jit, and interpreted by graphql-js. */
async function commentsExecutions(): Promise<{ compiled: number; interpreted: number }> {
  const samples = await metricsOf(stack.commentsUrl);
  const executed = (execution: string) =>
    sampleValue(samples, 'potluck_subgraph_operations_executed_total', { execution }) ?? 0;
  return { compiled: executed('compiled'), interpreted: executed('interpreted') };
}

beforeAll(async () => {
  for (let index = 0; index < 12; index += 1) {
    const created = await graphqlRequest<{ createRecipe: { id: string } }>(
      stack.gatewayUrl,
      'mutation($title: String!) { createRecipe(input: { title: $title, timeMinutes: 10, price: 2 }) { id } }',
      { title: `Batched ${index}` },
    );
    const recipeId = created.data!.createRecipe.id;
    for (const text of index % 3 === 0 ? [] : ['Lovely', 'Again']) {
      await graphqlRequest(
        stack.gatewayUrl,
        'mutation($id: ID!, $text: String!) { addComment(input: { recipeId: $id, text: $text }) { id } }',
        {
          id: recipeId,
          text: `${text} ${index}`,
        },
      );
    }
  }
  let after: string | null = null;
  for (let page = 0; page < 4; page += 1) {
    const { data } = (await ask(stack.gatewayUrl, { query: PAGE, variables: { after } })) as GraphQLResponse<{
      recipes: { edges: Array<{ cursor: string }> };
    }>;
    after = data!.recipes.edges.at(-1)!.cursor;
    cursors.push(after);
  }
  unbatched = await startAnotherGateway(stack, stack.amqpPrefix, 'unbatched gateway', { SUBGRAPH_BATCH_MAX: '1' });
});

afterAll(async () => {
  if (unbatched) await stopService(unbatched.service);
});

describe('subgraph calls shared by concurrent requests', () => {
  it('answers each request as a gateway sending every query alone does, viewers and errors included', async () => {
    const asks: Ask[] = [
      { query: PAGE, variables: { after: null } },
      ...cursors.map((after) => ({ query: PAGE, variables: { after } })),
      { query: PAGE, variables: { after: 'not-a-cursor' } },
      { query: PAGE, variables: { after: cursors[1] }, user: TEST_USER },
      { query: VIEWER, user: TEST_USER },
      { query: VIEWER, user: OTHER_USER },
      { query: VIEWER },
      { query: VIEWER, user: TEST_USER },
    ];
    const expected = [];
    for (const one of asks) expected.push(await ask(unbatched.url, one));
    expect(expected[5]!.errors?.length).toBeGreaterThan(0);
    expect(expected.filter((answer) => answer.errors)).toHaveLength(1);

    // Requests sent together reach the gateway in one turn of its event loop often, not always:
    // rounds go on (bounded) until the refused page was merged with others (its null `data` made
    // the merged call be sent again query by query) and comments were merged too.
    const before = { recipes: await batching('recipes'), comments: await batching('comments') };
    for (let round = 0; round < 60; round += 1) {
      const together = await Promise.all(asks.map((one) => ask(stack.gatewayUrl, one)));
      expect(together).toEqual(expected);
      const [recipes, comments] = [await batching('recipes'), await batching('comments')];
      if (recipes.resent > before.recipes.resent && comments.merged > before.comments.merged) return;
    }
    throw new Error('the refused page was never merged with another request: nothing shown');
  });

  it('has the subgraph run merged calls compiled, as it runs a query sent alone', async () => {
    const pages = [null, ...cursors].map((after) => ({ query: PAGE, variables: { after } }));
    const before = { calls: await batching('comments'), executed: await commentsExecutions() };
    // Bounded rounds until enough merged calls went to the comments subgraph to tell.
    for (let round = 0; round < 100; round += 1) {
      await Promise.all(pages.map((one) => ask(stack.gatewayUrl, one)));
      if ((await batching('comments')).merged - before.calls.merged >= 20) break;
    }
    const after = { calls: await batching('comments'), executed: await commentsExecutions() };
    const merged = after.calls.merged - before.calls.merged;
    const calls = after.calls.calls - before.calls.calls;
    const interpreted = after.executed.interpreted - before.executed.interpreted;
    expect(merged).toBeGreaterThanOrEqual(20);
    // A text runs interpreted the first time it arrives (one per number of queries merged, at most
    // five here) and when a second's compile budget is spent; merged calls interpreted were all 20.
    expect(interpreted).toBeLessThan(merged / 2);
    expect(after.executed.compiled - before.executed.compiled).toBeGreaterThanOrEqual(calls - interpreted);
  });
});
