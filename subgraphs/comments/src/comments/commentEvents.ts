import { createEnvelope, type EventEnvelope } from '@potluck/events';
import type { Comment } from '../generated/prisma/client.js';

/** The full state a comment event carries, so consumers never call back. */
export interface CommentState {
  id: string;
  recipeId: string;
  text: string;
  author: string;
  createdAt: string;
  version: number;
}

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
): EventEnvelope<{ id: string; recipeId: string }> {
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
