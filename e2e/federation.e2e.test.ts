import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AddCommentDocument,
  CommentDocument,
  CreateRecipeDocument,
  DeleteCommentDocument,
  DeleteRecipeDocument,
  GraphQLRequestError,
  RecipeDocument,
  RecipesWithCommentsDocument,
  UpdateRecipeDocument,
  type CreateRecipeInput,
  type GraphQLClient,
  type RecipesWithCommentsQuery,
} from '@potluck/client';
import { CLIENT_FILE, clientOutput } from '../codegen.js';
import { rejectionOf, TEST_USER, testUsers } from '@potluck/testing';
import { REPO_ROOT } from '../scripts/stack.js';
import { useStack } from './stack.js';

type ListedRecipe = RecipesWithCommentsQuery['recipes']['edges'][number]['node'];

const stack = useStack();
let client: GraphQLClient;

beforeAll(async () => {
  client = await stack.client();
});

async function createRecipe(input: Partial<CreateRecipeInput> & { title: string }): Promise<string> {
  const data = await client.request(CreateRecipeDocument, { input: { timeMinutes: 30, price: '10', ...input } });
  return data.createRecipe.id;
}

async function addComment(recipeId: string, text: string, as = client): Promise<string> {
  return (await as.request(AddCommentDocument, { input: { recipeId, text } })).addComment.id;
}

/** The typed error a request failed with; fails the test if it succeeded or failed otherwise. */
const failure = (request: Promise<unknown>) => rejectionOf(request, GraphQLRequestError);

describe('one request through the gateway', () => {
  it('returns a recipe with its comments, newest first', async () => {
    const recipeId = await createRecipe({ title: 'Shakshuka', price: '12.5', ingredients: ['eggs', 'tomatoes'] });
    await addComment(recipeId, 'Lovely', await stack.client(testUsers.ana));
    await addComment(recipeId, 'Too spicy');
    const last = await addComment(recipeId, 'Made it twice', await stack.client(testUsers.joe));

    const { recipe } = await client.request(RecipeDocument, { id: recipeId });

    expect(recipe).toMatchObject({
      id: recipeId,
      title: 'Shakshuka',
      price: '12.50',
      ingredients: ['eggs', 'tomatoes'],
    });
    expect(recipe?.comments?.totalCount).toBe(3);
    expect(recipe?.comments?.edges.map((edge) => edge.node.text)).toEqual(['Made it twice', 'Too spicy', 'Lovely']);
    expect(recipe?.comments?.edges[0]?.node).toMatchObject({ id: last, author: { id: 'joe', name: 'Joe' } });
    expect(recipe?.comments?.edges[1]?.node.author).toEqual({ id: TEST_USER.id, name: TEST_USER.name });
    expect(recipe?.comments?.edges[2]?.node.author).toEqual({ id: 'ana', name: 'Ana' });
  });

  it('pages through filtered recipes with their comments, in every page', async () => {
    const tag = `e2e-${randomUUID().slice(0, 8)}`;
    const ids: string[] = [];
    for (let minutes = 10; minutes <= 50; minutes += 10) {
      const id = await createRecipe({
        title: `${tag} dish ${minutes}`,
        timeMinutes: minutes,
        price: String(minutes / 10),
      });
      await addComment(id, `comment on ${minutes}`);
      ids.push(id);
    }
    const seen: ListedRecipe[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page += 1) {
      const { recipes }: RecipesWithCommentsQuery = await client.request(RecipesWithCommentsDocument, {
        first: 2,
        after,
        filter: { titleContains: tag.toUpperCase(), maxTimeMinutes: 40 },
        orderBy: 'QUICKEST',
      });
      expect(recipes.totalCount).toBe(4);
      seen.push(...recipes.edges.map((edge) => edge.node));
      if (!recipes.pageInfo.hasNextPage) break;
      after = recipes.pageInfo.endCursor;
    }
    expect(seen.map((recipe) => recipe.timeMinutes)).toEqual([10, 20, 30, 40]);
    expect(seen.map((recipe) => recipe.id)).toEqual(ids.slice(0, 4));
    expect(seen.every((recipe) => recipe.comments?.totalCount === 1)).toBe(true);
    expect(seen[2]?.comments?.edges[0]?.node.text).toBe('comment on 30');
  });

  it('orders by price and title, and filters by price', async () => {
    const tag = `e2e-${randomUUID().slice(0, 8)}`;
    await createRecipe({ title: `${tag} B`, price: '7.00' });
    await createRecipe({ title: `${tag} C`, price: '3.25' });
    await createRecipe({ title: `${tag} A`, price: '99.99' });

    const cheapest = await client.request(RecipesWithCommentsDocument, {
      filter: { titleContains: tag },
      orderBy: 'CHEAPEST',
    });
    const byTitle = await client.request(RecipesWithCommentsDocument, {
      filter: { titleContains: tag },
      orderBy: 'TITLE',
    });
    const underTen = await client.request(RecipesWithCommentsDocument, {
      filter: { titleContains: tag, maxPrice: '10' },
    });

    const titles = (data: RecipesWithCommentsQuery) => data.recipes.edges.map((edge) => edge.node.title.slice(-1));
    expect(titles(cheapest)).toEqual(['C', 'B', 'A']);
    expect(titles(byTitle)).toEqual(['A', 'B', 'C']);
    expect(titles(underTen).sort()).toEqual(['B', 'C']);
  });
});

describe('mutations through the gateway', () => {
  it('updates only the given fields and deletes', async () => {
    const id = await createRecipe({ title: 'Dal', description: 'Red lentils', timeMinutes: 40 });
    const { updateRecipe } = await client.request(UpdateRecipeDocument, { id, input: { timeMinutes: 35 } });
    expect(updateRecipe).toMatchObject({ title: 'Dal', description: 'Red lentils', timeMinutes: 35 });

    expect((await client.request(DeleteRecipeDocument, { id })).deleteRecipe).toBe(id);
    expect((await client.request(RecipeDocument, { id })).recipe).toBeNull();
  });

  it('refuses bad input with BAD_USER_INPUT naming the field, and writes nothing', async () => {
    const tag = `e2e-${randomUUID().slice(0, 8)}`;
    const recipe = await failure(
      client.request(CreateRecipeDocument, { input: { title: tag, timeMinutes: 0, price: '1' } }),
    );
    expect(recipe.codes).toEqual(['BAD_USER_INPUT']);
    expect(recipe.errors[0]?.message).toMatch(/timeMinutes/);
    const listed = await client.request(RecipesWithCommentsDocument, { filter: { titleContains: tag } });
    expect(listed.recipes.totalCount).toBe(0);

    const comment = await failure(client.request(AddCommentDocument, { input: { recipeId: randomUUID(), text: '' } }));
    expect(comment.codes).toEqual(['BAD_USER_INPUT']);
    expect(comment.errors[0]?.message).toMatch(/text/);

    const page = await failure(client.request(RecipesWithCommentsDocument, { first: 101 }));
    expect(page.codes).toEqual(['BAD_USER_INPUT']);
    expect(page.errors[0]?.message).toMatch(/first/);
  });

  it('answers NOT_FOUND for unknown and malformed ids, never an internal error', async () => {
    for (const id of [randomUUID(), 'not-an-id']) {
      const update = client.request(UpdateRecipeDocument, { id, input: { title: 'x' } });
      expect((await failure(update)).codes).toEqual(['NOT_FOUND']);
      expect((await failure(client.request(DeleteRecipeDocument, { id }))).codes).toEqual(['NOT_FOUND']);
      expect((await failure(client.request(DeleteCommentDocument, { id }))).codes).toEqual(['NOT_FOUND']);
      expect((await client.request(RecipeDocument, { id })).recipe).toBeNull();
      expect((await client.request(CommentDocument, { id })).comment).toBeNull();
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

describe('the typed client for an outside app', () => {
  it('generates from the running gateway exactly the client that schema/api.graphql gives', async () => {
    const files: Array<{ filename: string; content: string }> = await generate(
      { cwd: REPO_ROOT, silent: true, generates: { [CLIENT_FILE]: { ...clientOutput, schema: stack.gatewayUrl } } },
      false,
    );

    expect(files.map((file) => file.filename)).toEqual([CLIENT_FILE]);
    expect(files[0]?.content).toBe(await readFile(path.join(REPO_ROOT, CLIENT_FILE), 'utf8'));
  });
});
