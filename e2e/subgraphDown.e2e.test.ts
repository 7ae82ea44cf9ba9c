import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient, CreateRecipeDocument, RecipeSummaryDocument } from '@potluck/client';
import { waitFor } from '@potluck/testing';
import { stopService } from '../scripts/stack.js';
import { startStack, type TestStack } from './stack.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

it('goes not ready naming the subgraph that stopped, and still serves what the other one owns', async () => {
  const client = createClient({ url: stack.gatewayUrl });
  const { createRecipe } = await client.request(CreateRecipeDocument, {
    input: { title: 'Flatbread', timeMinutes: 20, price: '2' },
  });
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

  const { recipe } = await client.request(RecipeSummaryDocument, { id: createRecipe.id });
  expect(recipe).toMatchObject({ id: createRecipe.id, title: 'Flatbread', timeMinutes: 20, price: '2.00' });
});
