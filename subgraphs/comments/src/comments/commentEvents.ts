import { createEnvelope, type CommentState, type EventData, type EventEnvelope } from '@potluck/events';
import type { Comment } from '../generated/prisma/client.js';

/** comment.added carries the comment's full state, so consumers never call back. */
export function commentAdded(
  comment: Comment,
  eventId: string,
  now: Date,
  correlationId?: string,
): EventEnvelope<CommentState> {
  return createEnvelope({
    id: eventId,
    type: 'comment.added',
    occurredAt: now,
    aggregateId: comment.id,
    aggregateVersion: comment.version,
    correlationId,
    data: {
      id: comment.id,
      recipeId: comment.recipeId,
      text: comment.text,
      author: comment.author,
      createdAt: comment.createdAt.toISOString(),
      version: comment.version,
    },
  });
}

export function commentDeleted(
  removed: { id: string; recipeId: string; version: number },
  eventId: string,
  now: Date,
  correlationId?: string,
): EventEnvelope<EventData['comment.deleted']> {
  return createEnvelope({
    id: eventId,
    type: 'comment.deleted',
    occurredAt: now,
    aggregateId: removed.id,
    aggregateVersion: removed.version,
    correlationId,
    data: { id: removed.id, recipeId: removed.recipeId },
  });
}
