import { appendToOutbox, type BatchHandler, type EventOf } from '@potluck/messaging';
import type { OperationDeps } from '@potluck/service';
import { commentDeleted } from '../comments/commentEvents.js';
import type { PrismaClient, Transaction } from '../db.js';
import { applyRecipeFact, applyRecipeFacts } from './recipeReplica.js';

type HandlerDeps = Pick<OperationDeps<PrismaClient>, 'clock' | 'newId'>;

/** What the replica keeps of a recipe event: its version, whether it is a deletion, and who acted. */
function factOf(event: EventOf<'recipe.created' | 'recipe.updated' | 'recipe.deleted'>, deleted: boolean) {
  return { id: event.aggregateId, version: event.aggregateVersion, deleted, changedBy: event.actor?.id ?? null };
}

/** Creates and updates, a run of them in one statement: while a backlog drains, a delivery batch is mostly these. */
export const onRecipeChanged: BatchHandler<Transaction, EventOf<'recipe.created' | 'recipe.updated'>> = {
  async batch(events, tx) {
    await applyRecipeFacts(
      tx,
      events.map((event) => factOf(event, false)),
    );
  },
};

/**
 * A deleted recipe takes its comments with it: each is deleted and announced as
 * `comment.deleted`, in the same transaction as the tombstone.
 */
export async function onRecipeDeleted(event: EventOf<'recipe.deleted'>, tx: Transaction, deps: HandlerDeps) {
  if (await applyRecipeFact(tx, factOf(event, true))) {
    await deleteCommentsOf(tx, event, deps);
  }
}

/** The deletions carry the recipe event's correlation id and actor: one request's effects stay traceable. */
async function deleteCommentsOf(tx: Transaction, recipeEvent: EventOf<'recipe.deleted'>, deps: HandlerDeps) {
  const recipeId = recipeEvent.aggregateId;
  const removed = await tx.$queryRaw<Array<{ id: string; version: number }>>`
    DELETE FROM comments WHERE recipe_id = ${recipeId}::uuid RETURNING id::text, version`;
  const now = deps.clock();
  for (const comment of removed) {
    await appendToOutbox(
      tx,
      commentDeleted(
        { id: comment.id, recipeId, version: comment.version + 1 },
        { id: deps.newId(), occurredAt: now, correlationId: recipeEvent.correlationId, actor: recipeEvent.actor },
      ),
    );
  }
}
