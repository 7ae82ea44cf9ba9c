import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, graphqlRequest } from '@potluck/testing';
import { operation } from './operations.js';
import { startStack, type TestStack } from './stack.js';

interface RecipeNode {
  id: string;
  title: string;
  price: string;
  timeMinutes: number;
  comments: { totalCount: number; edges: Array<{ node: { id: string; text: string; author: string } }> };
}

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  const codes = await stack?.stop();
  expect(codes, stack?.logs.join('\n')).toEqual([0, 0, 0]);
});

async function call(name: string, variables: Record<string, unknown> = {}) {
  return graphqlRequest<Record<string, unknown>>(stack.gatewayUrl, operation(name), variables);
}

async function createRecipe(input: Record<string, unknown>): Promise<string> {
  const response = await call('CreateRecipe', { input: { timeMinutes: 30, price: 10, ...input } });
  expect(response.errors).toBeUndefined();
  return (response.data?.createRecipe as { id: string }).id;
}

async function addComment(recipeId: string, text: string, author?: string): Promise<string> {
  const response = await call('AddComment', { input: { recipeId, text, ...(author && { author }) } });
  expect(response.errors).toBeUndefined();
  return (response.data?.addComment as { id: string }).id;
}

describe('one request through the gateway', () => {
  it('returns a recipe with its comments, newest first', async () => {
    const recipeId = await createRecipe({ title: 'Shakshuka', price: '12.5', ingredients: ['eggs', 'tomatoes'] });
    await addComment(recipeId, 'Lovely', 'ana');
    await addComment(recipeId, 'Too spicy');
    const last = await addComment(recipeId, 'Made it twice', 'li');

    const response = await call('Recipe', { id: recipeId });

    expect(response.errors).toBeUndefined();
    const recipe = response.data?.recipe as RecipeNode & { ingredients: string[] };
    expect(recipe).toMatchObject({
      id: recipeId,
      title: 'Shakshuka',
      price: '12.50',
      ingredients: ['eggs', 'tomatoes'],
    });
    expect(recipe.comments.totalCount).toBe(3);
    expect(recipe.comments.edges.map((edge) => edge.node.text)).toEqual(['Made it twice', 'Too spicy', 'Lovely']);
    expect(recipe.comments.edges[0]?.node).toMatchObject({ id: last, author: 'li' });
    expect(recipe.comments.edges[1]?.node.author).toBe('anonymous');
  });

  it('pages through filtered recipes with their comments, in every page', async () => {
    const tag = `e2e-${randomUUID().slice(0, 8)}`;
    const ids: string[] = [];
    for (let minutes = 10; minutes <= 50; minutes += 10) {
      const id = await createRecipe({ title: `${tag} dish ${minutes}`, timeMinutes: minutes, price: minutes / 10 });
      await addComment(id, `comment on ${minutes}`);
      ids.push(id);
    }
    const seen: RecipeNode[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page += 1) {
      const response = await call('RecipesWithComments', {
        first: 2,
        after,
        filter: { titleContains: tag.toUpperCase(), maxTimeMinutes: 40 },
        orderBy: 'QUICKEST',
      });
      expect(response.errors).toBeUndefined();
      const connection = response.data?.recipes as {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        edges: Array<{ node: RecipeNode }>;
      };
      expect(connection.totalCount).toBe(4);
      seen.push(...connection.edges.map((edge) => edge.node));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen.map((recipe) => recipe.timeMinutes)).toEqual([10, 20, 30, 40]);
    expect(seen.map((recipe) => recipe.id)).toEqual(ids.slice(0, 4));
    expect(seen.every((recipe) => recipe.comments.totalCount === 1)).toBe(true);
    expect(seen[2]?.comments.edges[0]?.node.text).toBe('comment on 30');
  });

  it('orders by price and title, and filters by price', async () => {
    const tag = `e2e-${randomUUID().slice(0, 8)}`;
    await createRecipe({ title: `${tag} B`, price: '7.00' });
    await createRecipe({ title: `${tag} C`, price: '3.25' });
    await createRecipe({ title: `${tag} A`, price: '99.99' });

    const cheapest = await call('RecipesWithComments', { filter: { titleContains: tag }, orderBy: 'CHEAPEST' });
    const byTitle = await call('RecipesWithComments', { filter: { titleContains: tag }, orderBy: 'TITLE' });
    const underTen = await call('RecipesWithComments', { filter: { titleContains: tag, maxPrice: '10' } });

    const titles = (response: typeof cheapest) =>
      (response.data?.recipes as { edges: Array<{ node: RecipeNode }> }).edges.map((edge) => edge.node.title.slice(-1));
    expect(titles(cheapest)).toEqual(['C', 'B', 'A']);
    expect(titles(byTitle)).toEqual(['A', 'B', 'C']);
    expect(titles(underTen).sort()).toEqual(['B', 'C']);
  });
});

describe('mutations through the gateway', () => {
  it('updates only the given fields and deletes', async () => {
    const id = await createRecipe({ title: 'Dal', description: 'Red lentils', timeMinutes: 40 });
    const updated = await call('UpdateRecipe', { id, input: { timeMinutes: 35 } });
    expect(updated.data?.updateRecipe).toMatchObject({ title: 'Dal', description: 'Red lentils', timeMinutes: 35 });

    expect((await call('DeleteRecipe', { id })).data?.deleteRecipe).toBe(id);
    expect((await call('Recipe', { id })).data?.recipe).toBeNull();
  });

  it('refuses bad input with BAD_USER_INPUT naming the field, and writes nothing', async () => {
    const tag = `e2e-${randomUUID().slice(0, 8)}`;
    const response = await call('CreateRecipe', { input: { title: tag, timeMinutes: 0, price: 1 } });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.message).toMatch(/timeMinutes/);
    const listed = await call('RecipesWithComments', { filter: { titleContains: tag } });
    expect((listed.data?.recipes as { totalCount: number }).totalCount).toBe(0);

    const comment = await call('AddComment', { input: { recipeId: randomUUID(), text: '' } });
    expect(errorCodes(comment)).toEqual(['BAD_USER_INPUT']);
    expect(comment.errors?.[0]?.message).toMatch(/text/);

    const page = await call('RecipesWithComments', { first: 101 });
    expect(errorCodes(page)).toEqual(['BAD_USER_INPUT']);
    expect(page.errors?.[0]?.message).toMatch(/first/);
  });

  it('answers NOT_FOUND for unknown and malformed ids, never an internal error', async () => {
    for (const id of [randomUUID(), 'not-an-id']) {
      expect(errorCodes(await call('UpdateRecipe', { id, input: { title: 'x' } }))).toEqual(['NOT_FOUND']);
      expect(errorCodes(await call('DeleteRecipe', { id }))).toEqual(['NOT_FOUND']);
      expect(errorCodes(await call('DeleteComment', { id }))).toEqual(['NOT_FOUND']);
      expect((await call('Recipe', { id })).data?.recipe).toBeNull();
      expect((await call('Comment', { id })).data?.comment).toBeNull();
    }
  });
});

describe('health', () => {
  it('is ready when the supergraph is loaded and both subgraphs are ready; names a subgraph that is down', async () => {
    const readyUrl = stack.gatewayUrl.replace('/graphql', '/health/ready');
    const ready = await fetch(readyUrl);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: { supergraph: { status: 'up' }, recipes: { status: 'up' }, comments: { status: 'up' } },
    });
    const live = await fetch(stack.gatewayUrl.replace('/graphql', '/health/live'));
    expect(live.status).toBe(200);
  });
});
