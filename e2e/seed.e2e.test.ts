import { expect, it } from 'vitest';
import { RecipesWithCommentsDocument } from '@potluck/client';
import { DEMO_USERS } from '@potluck/identity';
import { SEED_RECIPES } from '../scripts/seedData.js';
import { runNpmToEnd } from './npmCommand.js';
import { useStack } from './stack.js';

const stack = useStack();

/** Runs `npm run seed` exactly as a user does, against the test stack's gateway, with the stack's development key. */
function npmRunSeed(gatewayUrl: string, env: Record<string, string> = {}) {
  return runNpmToEnd(['run', 'seed'], { GATEWAY_URL: gatewayUrl, AUTH_DEV_FILE: stack.identities.devFile, ...env });
}

/** `ana (Ana)`: who wrote something, as the gateway reports them. */
const byline = ({ id, name }: { id: string; name: string }) => `${id} (${name})`;
const demoUser = (id: string) => byline({ id, name: DEMO_USERS.find(({ user }) => user === id)!.name });

/**
 * Every recipe the gateway serves, with its comments, in one request: the 12 demo recipes fit
 * one page of 20 with 20 comments each (100 × 100 would be refused as too costly).
 */
async function recipesWithComments() {
  const client = await stack.client();
  const { recipes } = await client.request(RecipesWithCommentsDocument, { first: 20, commentsFirst: 20 });
  expect(recipes.pageInfo.hasNextPage).toBe(false);
  return recipes.edges
    .map(({ node }) => ({
      title: node.title,
      author: byline(node.author),
      timeMinutes: node.timeMinutes,
      price: node.price,
      commentCount: node.comments?.totalCount,
      comments: node.comments?.edges.map(({ node: comment }) => `${byline(comment.author)}: ${comment.text}`).sort(),
    }))
    .sort((a, b) => a.title.localeCompare(b.title));
}

it('`npm run seed` loads the demo recipes with their comments through the gateway, as the demo users; a second run adds nothing', async () => {
  expect(await recipesWithComments()).toEqual([]);
  const commentCount = SEED_RECIPES.reduce((sum, recipe) => sum + recipe.comments.length, 0);

  const refused = await npmRunSeed(stack.gatewayUrl, { SEED_TOKEN: 'not.a.token' });
  expect(refused.code, refused.output).toBe(1);
  expect(refused.output).toContain("The gateway refused the seed's token");
  expect(await recipesWithComments()).toEqual([]);

  const first = await npmRunSeed(stack.gatewayUrl);
  expect(first.code, first.output).toBe(0);
  expect(first.output).toContain(`seeded ${SEED_RECIPES.length} recipes and ${commentCount} comments`);
  const seeded = await recipesWithComments();
  expect(seeded).toEqual(
    SEED_RECIPES.map((recipe) => ({
      title: recipe.title,
      author: demoUser(recipe.author),
      timeMinutes: recipe.timeMinutes,
      price: recipe.price,
      commentCount: recipe.comments.length,
      comments: recipe.comments.map((comment) => `${demoUser(comment.author)}: ${comment.text}`).sort(),
    })).sort((a, b) => a.title.localeCompare(b.title)),
  );

  const second = await npmRunSeed(stack.gatewayUrl);
  expect(second.code, second.output).toBe(0);
  expect(second.output).toContain(`skipped: ${stack.gatewayUrl} already has ${SEED_RECIPES.length} recipes`);
  expect(await recipesWithComments()).toEqual(seeded);
}, 120_000);
