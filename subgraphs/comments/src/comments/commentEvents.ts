import {
  createEnvelope,
  type CommentState,
  type EventData,
  type EventEnvelope,
  type EventMeta,
} from '@potluck/messaging';
import type { Comment } from '../generated/prisma/client.js';

/** comment.added carries the comment's full state, so consumers never call back. */
export function commentAdded(comment: Comment, meta: EventMeta): EventEnvelope<CommentState> {
  return createEnvelope({
    ...meta,
    type: 'comment.added',
    aggregateId: comment.id,
    aggregateVersion: comment.version,
    data: {
      id: comment.id,
      recipeId: comment.recipeId,
      text: comment.text,
      author: comment.authorName,
      authorId: comment.authorId,
      createdAt: comment.createdAt.toISOString(),
      version: comment.version,
    },
  });
}

export function commentDeleted(
  removed: { id: string; recipeId: string; version: number },
  meta: EventMeta,
): EventEnvelope<EventData['comment.deleted']> {
  return createEnvelope({
    ...meta,
    type: 'comment.deleted',
    aggregateId: removed.id,
    aggregateVersion: removed.version,
    data: { id: removed.id, recipeId: removed.recipeId },
  });
}
