import { setTimeout as sleep } from 'node:timers/promises';
import { GraphQLRequestError, type GraphQLClient } from './gatewayClient.js';
import type { SeedRecipe, SeedUser } from './seedData.js';

const COUNT_RECIPES = 'query SeedRecipeCount { recipes(first: 1) { totalCount } }';
const CREATE_RECIPE = 'mutation SeedCreateRecipe($input: CreateRecipeInput!) { createRecipe(input: $input) { id } }';
const ADD_COMMENT = 'mutation SeedAddComment($input: AddCommentInput!) { addComment(input: $input) { id } }';

export type SeedResult =
  { seeded: false; existingRecipes: number } | { seeded: true; recipes: number; comments: number };

/** The gateway as the seed sees it: reads are public, every write is made as a signed-in user. */
export interface SeedGateway {
  read: GraphQLClient;
  as(user: SeedUser): GraphQLClient;
}

export interface SeedOptions {
  /** How long one step may keep retrying: the gateway coming up, a recipe reaching the comments service. */
  timeoutMs: number;
  retryIntervalMs?: number;
}

/**
 * Loads the demo recipes and their comments through the gateway, each as its author, unless
 * there already is a recipe: a second run, or a run against data of your own, adds nothing.
 */
export async function seedRecipes(
  gateway: SeedGateway,
  recipes: SeedRecipe[],
  options: SeedOptions,
): Promise<SeedResult> {
  const retry = <T>(work: () => Promise<T>, shouldRetry: (error: unknown) => boolean) =>
    retryUntil(work, shouldRetry, options.timeoutMs, options.retryIntervalMs ?? 250);
  const existingRecipes = await retry(
    () => countRecipes(gateway.read),
    (error) => !signInRefused(error),
  );
  if (existingRecipes > 0) return { seeded: false, existingRecipes };
  let comments = 0;
  for (const { author, comments: recipeComments, ...input } of recipes) {
    const { createRecipe } = await gateway.as(author)<{ createRecipe: { id: string } }>(CREATE_RECIPE, { input });
    for (const { author: commenter, text } of recipeComments) {
      const addComment = () => gateway.as(commenter)(ADD_COMMENT, { input: { recipeId: createRecipe.id, text } });
      await retry(addComment, recipeNotYetKnown);
      comments += 1;
    }
  }
  return { seeded: true, recipes: recipes.length, comments };
}

async function countRecipes(client: GraphQLClient): Promise<number> {
  const { recipes } = await client<{ recipes: { totalCount: number } }>(COUNT_RECIPES);
  return recipes.totalCount;
}

/** The gateway refused the seed's token: waiting will not change that. */
export function signInRefused(error: unknown): boolean {
  return (
    error instanceof GraphQLRequestError &&
    error.codes.some((code) => code === 'UNAUTHENTICATED' || code === 'FORBIDDEN')
  );
}

/** The comments service learns of a new recipe from an event; until it has, addComment answers NOT_FOUND. */
export function recipeNotYetKnown(error: unknown): boolean {
  return error instanceof GraphQLRequestError && error.codes.includes('NOT_FOUND');
}

async function retryUntil<T>(
  work: () => Promise<T>,
  shouldRetry: (error: unknown) => boolean,
  timeoutMs: number,
  intervalMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!shouldRetry(error) || Date.now() >= deadline) throw error;
    }
    await sleep(intervalMs);
  }
}
