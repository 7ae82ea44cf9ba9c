import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { AddCommentDocument, CreateRecipeDocument, DeleteRecipeDocument, type GraphQLClient } from '@potluck/client';
import { waitFor } from '@potluck/testing';
import { waitForConvergence } from './convergence.js';
import { consumedOutcomes, howItEnded, queryRows, waitForGatewayReady } from './stackProbes.js';
import { useStack } from './stack.js';

// One stack; each test restarts the service under test with one failpoint, lets the
// process die at it (SIGKILL), restarts it without, and checks the end state.
const stack = useStack();
let client: GraphQLClient;

beforeAll(async () => {
  client = await stack.client();
});

async function armFailpoint(name: 'recipes' | 'comments', failpoint: string) {
  await stack.restart(name, { FAILPOINTS: failpoint });
  await waitForGatewayReady(stack);
}

async function restartWithoutFailpoints(name: 'recipes' | 'comments') {
  await stack.restart(name, { FAILPOINTS: '' });
  await waitForGatewayReady(stack);
}

/** Creates a recipe while recipes is armed to die in its relay: the response may be lost, the commit is not. */
async function createRecipeThatKillsTheRelay() {
  const title = `crash ${randomUUID().slice(0, 8)}`;
  await client.request(CreateRecipeDocument, { input: { title, timeMinutes: 5, price: '1' } }).catch(() => undefined);
  expect(await howItEnded(stack, 'recipes')).toBe('SIGKILL');
  const [recipe] = await queryRows(
    stack.databaseUrls.recipes,
    'SELECT id::text, version FROM recipes WHERE title = $1',
    [title],
  );
  expect(recipe, 'the recipe was committed before the crash').toMatchObject({ version: 1 });
  const outbox = await queryRows(
    stack.databaseUrls.recipes,
    'SELECT id::text, type, sent_at FROM outbox WHERE aggregate_id = $1::uuid',
    [recipe!.id],
  );
  expect(outbox).toMatchObject([{ type: 'recipe.created', sent_at: null }]);
  return { recipeId: String(recipe!.id), eventId: String(outbox[0]!.id) };
}

async function recipeReplica(recipeId: string) {
  return queryRows(stack.databaseUrls.comments, 'SELECT version, deleted FROM recipe_replica WHERE id = $1::uuid', [
    recipeId,
  ]);
}

async function inboxRows(eventId: string) {
  return queryRows(stack.databaseUrls.comments, 'SELECT type FROM inbox WHERE message_id = $1::uuid', [eventId]);
}

describe('a process killed at a crash point', () => {
  it('relay killed after the domain commit, before publishing: the event goes out after the restart, once', async () => {
    await armFailpoint('recipes', 'relay:after-commit-before-publish');
    const { recipeId, eventId } = await createRecipeThatKillsTheRelay();
    expect(await recipeReplica(recipeId), 'nothing was published before the crash').toEqual([]);

    await restartWithoutFailpoints('recipes');
    await waitForConvergence(stack);
    expect(await recipeReplica(recipeId)).toEqual([{ version: 1, deleted: false }]);
    expect(await inboxRows(eventId)).toEqual([{ type: 'recipe.created' }]);
    await waitFor(() => (consumedOutcomes(stack, 'comments', eventId).length > 0 ? true : undefined));
    expect(consumedOutcomes(stack, 'comments', eventId)).toEqual(['applied']);
  });

  it('relay killed after the broker confirmed, before marking sent: the event is sent again and skipped as a duplicate', async () => {
    await armFailpoint('recipes', 'relay:after-publish-before-mark-sent');
    const { recipeId, eventId } = await createRecipeThatKillsTheRelay();
    await waitFor(async () => ((await recipeReplica(recipeId)).length > 0 ? true : undefined), {
      what: 'the event published before the crash to reach the replica',
    });

    await restartWithoutFailpoints('recipes');
    await waitForConvergence(stack);
    await waitFor(() => (consumedOutcomes(stack, 'comments', eventId).length === 2 ? true : undefined), {
      what: 'the second delivery of the event',
    });
    expect(consumedOutcomes(stack, 'comments', eventId)).toEqual(['applied', 'duplicate']);
    expect(await recipeReplica(recipeId)).toEqual([{ version: 1, deleted: false }]);
    expect(await inboxRows(eventId)).toEqual([{ type: 'recipe.created' }]);
  });

  it('consumer killed after its commit, before the ack: the redelivered recipe.deleted deletes each comment once', async () => {
    const { createRecipe: recipe } = await client.request(CreateRecipeDocument, {
      input: { title: `doomed ${randomUUID().slice(0, 8)}`, timeMinutes: 5, price: '1' },
    });
    const commentIds: string[] = [];
    for (const text of ['one', 'two', 'three']) {
      commentIds.push(
        (await client.request(AddCommentDocument, { input: { recipeId: recipe.id, text } })).addComment.id,
      );
    }
    await waitForConvergence(stack);

    await armFailpoint('comments', 'consumer:after-commit-before-ack');
    await client.request(DeleteRecipeDocument, { id: recipe.id });
    expect(await howItEnded(stack, 'comments')).toBe('SIGKILL');
    const [deleted] = await queryRows(
      stack.databaseUrls.recipes,
      `SELECT id::text FROM outbox WHERE aggregate_id = $1::uuid AND type = 'recipe.deleted'`,
      [recipe.id],
    );
    const eventId = String(deleted!.id);
    expect(await inboxRows(eventId), 'the deletion was committed before the crash').toEqual([
      { type: 'recipe.deleted' },
    ]);

    await restartWithoutFailpoints('comments');
    await waitForConvergence(stack);
    await waitFor(() => (consumedOutcomes(stack, 'comments', eventId).length > 0 ? true : undefined), {
      what: 'the redelivery of recipe.deleted',
    });
    expect(consumedOutcomes(stack, 'comments', eventId)).toEqual(['duplicate']);
    const announced = await queryRows(
      stack.databaseUrls.comments,
      `SELECT aggregate_id::text AS id, count(*)::int AS times FROM outbox
        WHERE type = 'comment.deleted' AND aggregate_id = ANY($1::uuid[]) GROUP BY aggregate_id ORDER BY aggregate_id`,
      [commentIds],
    );
    expect(announced).toEqual([...commentIds].sort().map((id) => ({ id, times: 1 })));
    const replica = await queryRows(
      stack.databaseUrls.recipes,
      'SELECT id::text, version, deleted FROM comment_replica WHERE id = ANY($1::uuid[]) ORDER BY id',
      [commentIds],
    );
    expect(replica).toEqual([...commentIds].sort().map((id) => ({ id, version: 2, deleted: true })));
  });
});
