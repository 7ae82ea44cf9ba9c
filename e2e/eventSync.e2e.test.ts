import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AddCommentDocument,
  CreateRecipeDocument,
  DeleteCommentDocument,
  DeleteRecipeDocument,
  RecipeDocument,
  RecipesWithCommentsDocument,
  UpdateRecipeDocument,
  isGraphQLRequestError,
  type GraphQLClient,
} from '@potluck/client';
import { queryRows, waitFor } from '@potluck/testing';
import { waitForConvergence } from './convergence.js';
import { useStack } from './stack.js';

const stack = useStack({ comments: { RECIPE_WAIT_MS: '1500' } });
let client: GraphQLClient;

beforeAll(async () => {
  client = await stack.client();
});

async function newRecipe(title = `sync ${randomUUID().slice(0, 8)}`) {
  return (await client.request(CreateRecipeDocument, { input: { title, timeMinutes: 10, price: '5' } })).createRecipe;
}

async function comment(recipeId: string, text = 'nice') {
  return (await client.request(AddCommentDocument, { input: { recipeId, text } })).addComment;
}

async function commentCountOf(id: string) {
  return (await client.request(RecipeDocument, { id })).recipe?.commentCount;
}

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return isGraphQLRequestError(error) ? error.errors[0]?.extensions?.code : error;
  }
}

async function replicaRow(table: 'recipe_replica' | 'comment_replica', id: string) {
  const database = table === 'recipe_replica' ? stack.databaseUrls.comments : stack.databaseUrls.recipes;
  const [row] = await queryRows(database, `SELECT version, deleted FROM ${table} WHERE id = $1`, [id]);
  return row as { version: number; deleted: boolean } | undefined;
}

describe('events between the services', () => {
  it('accepts a comment on a recipe created a moment ago, and counts it on the recipe', async () => {
    const recipe = await newRecipe();
    await comment(recipe.id, 'first!');
    await comment(recipe.id, 'second');
    await waitFor(async () => ((await commentCountOf(recipe.id)) === 2 ? true : undefined), { what: 'commentCount 2' });
  });

  it('follows updates and deletes of recipes into the comments replica', async () => {
    const recipe = await newRecipe();
    await client.request(UpdateRecipeDocument, { id: recipe.id, input: { title: 'renamed' } });
    await client.request(UpdateRecipeDocument, { id: recipe.id, input: { timeMinutes: 12 } });
    await waitFor(async () => ((await replicaRow('recipe_replica', recipe.id))?.version === 3 ? true : undefined));

    await client.request(DeleteRecipeDocument, { id: recipe.id });
    expect(
      await waitFor(async () => {
        const row = await replicaRow('recipe_replica', recipe.id);
        return row?.deleted ? row : undefined;
      }),
    ).toEqual({ version: 4, deleted: true });
  });

  it('removes a deleted recipe’s comments and announces each as comment.deleted', async () => {
    const recipe = await newRecipe();
    const first = await comment(recipe.id);
    const second = await comment(recipe.id);
    await client.request(DeleteRecipeDocument, { id: recipe.id });

    await waitFor(async () => ((await replicaRow('comment_replica', first.id))?.deleted ? true : undefined), {
      what: 'the recipes service to learn the comments were deleted',
    });
    expect(await replicaRow('comment_replica', second.id)).toMatchObject({ deleted: true, version: 2 });
    expect(await codeOf(client.request(DeleteCommentDocument, { id: first.id }))).toBe('NOT_FOUND');
  });

  it('follows comment deletions into commentCount and MOST_COMMENTED order', async () => {
    const tag = `popular ${randomUUID().slice(0, 8)}`;
    const quiet = await newRecipe(`${tag} quiet`);
    const busy = await newRecipe(`${tag} busy`);
    const comments = [await comment(busy.id), await comment(busy.id), await comment(quiet.id)];
    await client.request(DeleteCommentDocument, { id: comments[0]!.id });
    await comment(busy.id);

    const order = async () => {
      const { recipes } = await client.request(RecipesWithCommentsDocument, {
        filter: { titleContains: tag },
        orderBy: 'MOST_COMMENTED',
      });
      return recipes.edges.map(({ node }) => [
        node.title.split(' ').at(-1),
        node.commentCount,
        node.comments?.totalCount,
      ]);
    };
    await waitFor(
      async () => {
        const current = await order();
        return JSON.stringify(current) ===
          JSON.stringify([
            ['busy', 2, 2],
            ['quiet', 1, 1],
          ])
          ? current
          : undefined;
      },
      { what: 'commentCount 2 and 1, busy first' },
    );
  });

  it('refuses comments on recipes that do not exist or were deleted, after a bounded wait', async () => {
    const started = Date.now();
    expect(await codeOf(comment(randomUUID()))).toBe('NOT_FOUND');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);

    const recipe = await newRecipe();
    await client.request(DeleteRecipeDocument, { id: recipe.id });
    await waitFor(async () => ((await replicaRow('recipe_replica', recipe.id))?.deleted ? true : undefined));
    expect(await codeOf(comment(recipe.id))).toBe('NOT_FOUND');
  });

  it('converges: every replica equals its source and the outboxes drain', async () => {
    await waitForConvergence(stack);
  });
});
