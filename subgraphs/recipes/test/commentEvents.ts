import { commentEventFixture } from '@potluck/testing';
import type { PrismaClient } from '../src/db.js';
import { onCommentAdded } from '../src/handlers/onCommentEvents.js';

export const commentAddedEvent = (recipeId: string, commentId?: string) =>
  commentEventFixture('comment.added', recipeId, commentId);

export const commentDeletedEvent = (recipeId: string, commentId: string) =>
  commentEventFixture('comment.deleted', recipeId, commentId);

/** Applies `count` comment.added events for a recipe through the real handler, as the consumer would. */
export async function announceComments(prisma: PrismaClient, recipeId: string, count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    await prisma.$transaction((tx) => onCommentAdded(commentAddedEvent(recipeId), tx));
  }
}
