import type { EventOf } from '@potluck/messaging';
import type { Transaction } from '../db.js';
import { applyCommentFact, recountComments } from './commentReplica.js';

export function onCommentAdded(event: EventOf<'comment.added'>, tx: Transaction): Promise<void> {
  return applyToReplica(event, tx, false);
}

export function onCommentDeleted(event: EventOf<'comment.deleted'>, tx: Transaction): Promise<void> {
  return applyToReplica(event, tx, true);
}

/** Applied to the comment replica; the recipe's count is recounted from its rows when the replica changed. */
async function applyToReplica(
  event: EventOf<'comment.added' | 'comment.deleted'>,
  tx: Transaction,
  deleted: boolean,
): Promise<void> {
  const { id, recipeId } = event.data;
  const changedBy = event.actor?.id ?? null;
  if (await applyCommentFact(tx, { id, recipeId, version: event.aggregateVersion, deleted, changedBy })) {
    await recountComments(tx, recipeId);
  }
}
