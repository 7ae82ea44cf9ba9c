import { afterAll, beforeAll, expect, it } from 'vitest';
import { errorCodes, graphqlRequest, parsePrometheusText, sampleValue, waitFor } from '@potluck/testing';
import { useStack } from './stack.js';
import { lockTable, type TableLock } from './tableLock.js';

/**
 * Admission control through the real stack: the gateway runs two requests at once and lets
 * none wait, comments runs one. Table locks hold requests in flight where the test wants them.
 */
const stack = useStack({
  gateway: { GRAPHQL_MAX_IN_FLIGHT: '2', GRAPHQL_MAX_QUEUED: '0' },
  comments: { GRAPHQL_MAX_IN_FLIGHT: '1', GRAPHQL_MAX_QUEUED: '0' },
});
const locks: TableLock[] = [];
let recipeId: string;

beforeAll(async () => {
  const created = await graphqlRequest<{ createRecipe: { id: string } }>(
    stack.gatewayUrl,
    'mutation { createRecipe(input: { title: "Dal", timeMinutes: 40, price: 3 }) { id } }',
  );
  recipeId = created.data!.createRecipe.id;
  await graphqlRequest(
    stack.gatewayUrl,
    'mutation($id: ID!) { addComment(input: { recipeId: $id, text: "Good" }) { id } }',
    {
      id: recipeId,
    },
  );
  // The count reaches recipes by event: let it land, so the only query the recipes lock holds is the test's.
  await waitFor(async () => {
    const { data } = await graphqlRequest<{ recipe: { commentCount: number } }>(
      stack.gatewayUrl,
      'query($id: ID!) { recipe(id: $id) { commentCount } }',
      { id: recipeId },
    );
    return data?.recipe.commentCount === 1 ? true : undefined;
  });
});

afterAll(async () => {
  for (const lock of locks) await lock.release();
});

async function lock(database: 'recipes' | 'comments', table: string): Promise<TableLock> {
  const held = await lockTable(stack.databaseUrls[database], table);
  locks.push(held);
  return held;
}

async function waitersReach(held: TableLock, count: number): Promise<void> {
  await waitFor(async () => ((await held.waiters()) >= count ? true : undefined), {
    what: `${count} queries waiting on the lock`,
  });
}

async function shed(url: string, reason: string): Promise<number | undefined> {
  const text = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
  return sampleValue(parsePrometheusText(text), 'potluck_graphql_requests_shed_total', { reason });
}

it('answers SUBGRAPH_BUSY for a busy subgraph with the rest of the page, and 503 SERVER_BUSY past the gateway’s own limit', async () => {
  const comments = await lock('comments', 'comments');
  const held = graphqlRequest(
    stack.gatewayUrl,
    'query($id: ID!) { recipe(id: $id) { title comments(first: 5) { edges { node { text } } } } }',
    { id: recipeId },
  );
  await waitersReach(comments, 1);

  // comments' one turn is taken: its part of this page is refused, the recipe still comes back.
  const partial = await graphqlRequest<{ recipe: { title: string; comments: unknown } }>(
    stack.gatewayUrl,
    'query($id: ID!) { recipe(id: $id) { id title comments(first: 6) { edges { node { id } } } } }',
    { id: recipeId },
  );
  expect(partial.status).toBe(200);
  expect(partial.data?.recipe).toMatchObject({ title: 'Dal', comments: null });
  expect(errorCodes(partial)).toEqual(['SUBGRAPH_BUSY']);
  expect(partial.errors![0]!.extensions).toMatchObject({ serviceName: 'comments', retryAfter: 1 });

  // A second request held in flight at recipes fills the gateway's two turns.
  const recipes = await lock('recipes', 'recipes');
  const heldToo = graphqlRequest(stack.gatewayUrl, '{ recipes(first: 1) { totalCount } }');
  await waitersReach(recipes, 1);
  const refused = await graphqlRequest(stack.gatewayUrl, '{ recipes(first: 2) { totalCount } }');
  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toBe('1');
  expect(errorCodes(refused)).toEqual(['SERVER_BUSY']);
  expect(refused.errors![0]!.extensions).toMatchObject({ reason: 'queue_full' });

  await comments.release();
  await recipes.release();
  expect((await held).data).toEqual({ recipe: { title: 'Dal', comments: { edges: [{ node: { text: 'Good' } }] } } });
  expect((await heldToo).data).toEqual({ recipes: { totalCount: 1 } });
  expect(await shed(stack.commentsUrl, 'queue_full')).toBe(1);
  expect(await shed(stack.gatewayUrl, 'queue_full')).toBe(1);
});
