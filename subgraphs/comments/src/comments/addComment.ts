import { appendToOutbox } from '@potluck/events';
import { NotFoundError } from '@potluck/service';
import type { Comment } from '../generated/prisma/client.js';
import { recipeStatus } from '../handlers/recipeReplica.js';
import type { CommentDeps } from './commentDeps.js';
import { commentAdded } from './commentEvents.js';
import { validateNewComment } from './commentRules.js';

const POLL_MS = 50;

/**
 * Validates, checks the recipe exists in the replica, stores the comment at version 1 and
 * records `comment.added`, all in one transaction. The replica row is share-locked, so a
 * concurrent recipe deletion waits and then removes this comment too.
 */
export async function addComment(deps: CommentDeps, input: object): Promise<Comment> {
  const draft = validateNewComment(input);
  await waitUntilKnown(deps, draft.recipeId);
  const now = deps.clock();
  return deps.prisma.$transaction(async (tx) => {
    if ((await recipeStatus(tx, draft.recipeId, true)) !== 'live') throw new NotFoundError('recipe', draft.recipeId);
    const comment = await tx.comment.create({ data: { ...draft, id: deps.newId(), createdAt: now, version: 1 } });
    await appendToOutbox(tx, commentAdded(comment, deps.newId(), now));
    return comment;
  });
}

/** A recipe created a moment ago may not have reached the replica yet: give it a bounded time. */
async function waitUntilKnown(deps: CommentDeps, recipeId: string): Promise<void> {
  const deadline = Date.now() + deps.recipeWaitMs;
  while ((await recipeStatus(deps.prisma, recipeId)) === 'unknown' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
