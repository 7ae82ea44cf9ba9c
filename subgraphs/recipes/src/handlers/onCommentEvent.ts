import type { ValidEvent } from '@potluck/events';
import { PoisonMessage } from '@potluck/messaging';
import type { Transaction } from '../db.js';
import { applyCommentFact, recountComments } from './commentReplica.js';

/** The comments service's events, applied to the comment replica and the recipes' counts. */
export async function onCommentEvent(event: ValidEvent, tx: Transaction): Promise<void> {
  switch (event.type) {
    case 'comment.added':
    case 'comment.deleted': {
      const { id, recipeId } = event.data;
      const deleted = event.type === 'comment.deleted';
      if (await applyCommentFact(tx, { id, recipeId, version: event.aggregateVersion, deleted })) {
        await recountComments(tx, recipeId);
      }
      return;
    }
    default:
      throw new PoisonMessage(`the recipes service does not handle ${event.type}`);
  }
}
