import { afterAll, beforeAll, expect, it } from 'vitest';
import { graphqlRequest, waitFor } from '@potluck/testing';
import { stopService } from '../scripts/stack.js';
import { operation } from './operations.js';
import { startStack, type TestStack } from './stack.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

it('goes not ready naming the subgraph that stopped, and still serves what the other one owns', async () => {
  const created = await graphqlRequest<{ createRecipe: { id: string } }>(stack.gatewayUrl, operation('CreateRecipe'), {
    input: { title: 'Flatbread', timeMinutes: 20, price: 2 },
  });
  const id = created.data?.createRecipe.id;
  const comments = stack.processes.find((service) => service.name === 'comments');
  expect(await stopService(comments!)).toBe(0);

  const readyUrl = stack.gatewayUrl.replace('/graphql', '/health/ready');
  const report = await waitFor(async () => {
    const response = await fetch(readyUrl);
    return response.status === 503 ? ((await response.json()) as Record<string, unknown>) : undefined;
  });
  expect(report).toMatchObject({
    status: 'not_ready',
    checks: { comments: { status: 'down' }, recipes: { status: 'up' }, supergraph: { status: 'up' } },
  });

  const recipeOnly = await graphqlRequest<{ recipe: { title: string } }>(
    stack.gatewayUrl,
    'query($id: ID!) { recipe(id: $id) { title } }',
    { id },
  );
  expect(recipeOnly.data?.recipe.title).toBe('Flatbread');
});
