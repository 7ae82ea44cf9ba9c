import { appendToOutbox, type ValidEvent } from '@potluck/events';
import { PoisonMessage } from '@potluck/messaging';
import type { OperationDeps } from '@potluck/service';
import { commentDeleted } from '../comments/commentEvents.js';
import type { PrismaClient, Transaction } from '../db.js';
import { applyRecipeFact } from './recipeReplica.js';

/**
 * The recipes service's events, applied to the recipe replica. A deleted recipe takes
 * its comments with it: each is deleted and announced as `comment.deleted`, in the same
 * transaction as the tombstone.
 */
export function createRecipeEventHandler(deps: Pick<OperationDeps<PrismaClient>, 'clock' | 'newId'>) {
  return async function onRecipeEvent(event: ValidEvent, tx: Transaction): Promise<void> {
    switch (event.type) {
      case 'recipe.created':
      case 'recipe.updated':
        await applyRecipeFact(tx, { id: event.aggregateId, version: event.aggregateVersion, deleted: false });
        return;
      case 'recipe.deleted':
        if (await applyRecipeFact(tx, { id: event.aggregateId, version: event.aggregateVersion, deleted: true })) {
          await deleteCommentsOf(tx, event, deps);
        }
        return;
      default:
        throw new PoisonMessage(`the comments service does not handle ${event.type}`);
    }
  };
}

/** The deletions carry the recipe event's correlation id: one request's effects stay traceable. */
async function deleteCommentsOf(
  tx: Transaction,
  recipeEvent: ValidEvent,
  deps: Pick<OperationDeps<PrismaClient>, 'clock' | 'newId'>,
) {
  const recipeId = recipeEvent.aggregateId;
  const removed = await tx.$queryRaw<Array<{ id: string; version: number }>>`
    DELETE FROM comments WHERE recipe_id = ${recipeId}::uuid RETURNING id::text, version`;
  const now = deps.clock();
  for (const comment of removed) {
    await appendToOutbox(
      tx,
      commentDeleted(
        { id: comment.id, recipeId, version: comment.version + 1 },
        deps.newId(),
        now,
        recipeEvent.correlationId,
      ),
    );
  }
}
