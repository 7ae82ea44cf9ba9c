import type { EventOf } from '@potluck/messaging';
import type { Transaction } from '../db.js';
import { applyCommentFact, lockRecipe, recountComments } from './commentReplica.js';

export function onCommentAdded(event: EventOf<'comment.added'>, tx: Transaction): Promise<void> {
  return applyToReplica(event, tx, false);
}

export function onCommentDeleted(event: EventOf<'comment.deleted'>, tx: Transaction): Promise<void> {
  return applyToReplica(event, tx, true);
}

/** Applied to the comment replica under the recipe's row lock; the count is recounted from the rows when the replica changed. */
async function applyToReplica(
  event: EventOf<'comment.added' | 'comment.deleted'>,
  tx: Transaction,
  deleted: boolean,
): Promise<void> {
  const { id, recipeId } = event.data;
  const changedBy = event.actor?.id ?? null;
  await lockRecipe(tx, recipeId);
  if (await applyCommentFact(tx, { id, recipeId, version: event.aggregateVersion, deleted, changedBy })) {
    await recountComments(tx, recipeId);
  }
}
