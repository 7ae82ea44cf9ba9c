import type { ValidEvent } from '@potluck/events';
import { PoisonMessage } from '@potluck/messaging';
import type { Transaction } from '../db.js';
import { applyCommentFact, recountComments } from './commentReplica.js';

/** The comments service's events, applied to the comment replica and the recipes' counts. */
export async function onCommentEvent(event: ValidEvent, tx: Transaction): Promise<void> {
  switch (event.type) {
    case 'comment.added': {
      const { id, recipeId } = event.data;
      if (await applyCommentFact(tx, { id, recipeId, version: event.aggregateVersion, deleted: false })) {
        await recountComments(tx, recipeId);
      }
      return;
    }
    case 'comment.deleted': {
      const { id, recipeId } = event.data;
      if (await applyCommentFact(tx, { id, recipeId, version: event.aggregateVersion, deleted: true })) {
        await recountComments(tx, recipeId);
      }
      return;
    }
    default:
      throw new PoisonMessage(`the recipes service does not handle ${event.type}`);
  }
}
