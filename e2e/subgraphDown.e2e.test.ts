import { beforeAll, expect, it } from 'vitest';
import {
  AddCommentDocument,
  CommentDocument,
  CreateRecipeDocument,
  GraphQLRequestError,
  RecipeDocument,
  RecipeSummaryDocument,
  RecipesWithCommentsDocument,
  type GraphQLClient,
} from '@potluck/client';
import { rejectionOf, TEST_USER, waitFor } from '@potluck/testing';
import { stopService } from '../scripts/stack.js';
import { useStack } from './stack.js';
import { logEntries } from './stackProbes.js';

const stack = useStack();
let client: GraphQLClient;

beforeAll(async () => {
  client = await stack.client();
});

/** The partial result a request still returned, and its errors, when it did not fully succeed. */
const partial = <T>(request: Promise<T>) =>
  rejectionOf(request, GraphQLRequestError) as Promise<GraphQLRequestError<T>>;

async function stop(name: 'recipes' | 'comments'): Promise<void> {
  expect(await stopService(stack.service(name))).toBe(0);
}

it('goes degraded naming the subgraph that stopped, and still serves what the other one owns', async () => {
  const { createRecipe } = await client.request(CreateRecipeDocument, {
    input: { title: 'Flatbread', timeMinutes: 20, price: '2' },
  });
  await client.request(AddCommentDocument, { input: { recipeId: createRecipe.id, text: 'Crisp' } });
  // The count comes to recipes by event: let it arrive before comments, which sends it, stops.
  await waitFor(async () =>
    (await client.request(RecipeDocument, { id: createRecipe.id })).recipe?.commentCount === 1 ? true : undefined,
  );
  await stop('comments');

  const readyUrl = stack.gatewayUrl.replace('/graphql', '/health/ready');
  const report = await waitFor(async () => {
    const response = await fetch(readyUrl);
    const body = (await response.json()) as Record<string, unknown>;
    return body.status === 'degraded' ? { httpStatus: response.status, ...body } : undefined;
  });
  expect(report).toMatchObject({
    httpStatus: 200,
    status: 'degraded',
    checks: { comments: { status: 'down' }, recipes: { status: 'up' }, supergraph: { status: 'up' } },
  });
  const probeLine = await waitFor(() =>
    logEntries(stack, 'gateway').find(
      (line) => line.level === 40 && (line.req as { url?: string } | undefined)?.url === '/health/ready',
    ),
  );
  expect(probeLine).toMatchObject({ msg: 'request completed', res: { statusCode: 200 } });
  expect(probeLine).not.toHaveProperty('err');

  const { recipe } = await client.request(RecipeSummaryDocument, { id: createRecipe.id });
  expect(recipe).toMatchObject({ id: createRecipe.id, title: 'Flatbread', timeMinutes: 20, price: '2.00' });

  const failure = await partial(
    client.request(RecipesWithCommentsDocument, { filter: { titleContains: 'Flatbread' } }),
  );
  expect(failure.codes).toEqual(['SUBGRAPH_UNAVAILABLE']);
  expect(failure.errors[0]).toMatchObject({
    message: 'The comments subgraph is unavailable',
    extensions: { serviceName: 'comments' },
  });
  expect(failure.data?.recipes.totalCount).toBe(1);
  expect(failure.data?.recipes.edges[0]?.node).toMatchObject({
    id: createRecipe.id,
    title: 'Flatbread',
    commentCount: 1,
    comments: null,
  });

  await stack.restart('comments');
  const { recipes } = await waitFor(() =>
    client.request(RecipesWithCommentsDocument, { filter: { titleContains: 'Flatbread' } }).catch(() => undefined),
  );
  expect(recipes.edges[0]?.node.comments?.edges.map((edge) => edge.node.text)).toEqual(['Crisp']);
});

it('answers a subgraph that refuses the gateway’s credential as unavailable, not as the client signed out, and tells the operator', async () => {
  const { createRecipe } = await client.request(CreateRecipeDocument, {
    input: { title: 'Focaccia', timeMinutes: 90, price: '3' },
  });
  // A secret that differs between the gateway and one subgraph: the subgraph refuses every call with 401.
  await stack.restart('comments', { INTERNAL_AUTH_SECRET: `another-${'s'.repeat(40)}` });
  try {
    const failure = await partial(
      client.request(RecipesWithCommentsDocument, { filter: { titleContains: 'Focaccia' } }),
    );
    expect(failure.codes).toEqual(['SUBGRAPH_UNAVAILABLE']);
    expect(failure.errors[0]).toMatchObject({
      message: 'The comments subgraph is unavailable',
      extensions: { serviceName: 'comments' },
    });
    expect(failure.data?.recipes.edges[0]?.node).toMatchObject({ id: createRecipe.id, comments: null });
    // The gateway's log reaches the test through its stdout, after the answer.
    const refused = await waitFor(() => {
      const lines = logEntries(stack, 'gateway').filter(
        (line) => line.msg === 'subgraph refused the gateway credential',
      );
      return lines.length > 0 ? lines : undefined;
    });
    expect(refused).toEqual([expect.objectContaining({ level: 50, subgraph: 'comments', status: 401 })]);
  } finally {
    await stack.restart('comments');
  }
  const { recipes } = await waitFor(() =>
    client.request(RecipesWithCommentsDocument, { filter: { titleContains: 'Focaccia' } }).catch(() => undefined),
  );
  expect(recipes.edges[0]?.node.comments?.edges).toEqual([]);
});

it('returns a comment without its recipe while the recipes subgraph is down', async () => {
  const { createRecipe } = await client.request(CreateRecipeDocument, {
    input: { title: 'Pilaf', timeMinutes: 45, price: '6' },
  });
  const { addComment } = await waitFor(() =>
    client.request(AddCommentDocument, { input: { recipeId: createRecipe.id, text: 'Fluffy' } }).catch(() => undefined),
  );
  await stop('recipes');

  const failure = await partial(client.request(CommentDocument, { id: addComment.id }));
  expect(failure.codes).toEqual(['SUBGRAPH_UNAVAILABLE']);
  expect(failure.errors[0]?.extensions?.serviceName).toBe('recipes');
  expect(failure.data?.comment).toMatchObject({
    id: addComment.id,
    text: 'Fluffy',
    author: { id: TEST_USER.id, name: TEST_USER.name },
    recipe: null,
  });
});
