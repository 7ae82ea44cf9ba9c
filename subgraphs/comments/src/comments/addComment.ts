import { appendToOutbox } from '@potluck/messaging';
import type { User } from '@potluck/identity';
import { NotFoundError, newEventMeta } from '@potluck/service';
import type { Comment } from '../generated/prisma/client.js';
import { recipeStatus } from '../handlers/recipeReplica.js';
import type { CommentDeps } from './commentDeps.js';
import { commentAdded } from './commentEvents.js';
import { validateNewComment, type CommentDraft } from './commentRules.js';

const POLL_MS = 50;

/**
 * Validates, checks the recipe exists in the replica, stores the comment at version 1 with the
 * user as its author and records `comment.added`, all in one transaction. The replica row is
 * share-locked, so a
 * concurrent recipe deletion waits and then removes this comment too. A recipe created a
 * moment ago may not have reached the replica yet: an unknown recipe is asked for again
 * until `recipeWaitMs` has passed, then it is NOT_FOUND.
 */
export async function addComment(deps: CommentDeps, author: User, input: object): Promise<Comment> {
  const draft = validateNewComment(input);
  const deadline = Date.now() + deps.recipeWaitMs;
  for (;;) {
    const comment = await insertIfRecipeKnown(deps, author, draft);
    if (comment) return comment;
    if (Date.now() >= deadline) throw new NotFoundError('recipe', draft.recipeId);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The comment, or undefined when the replica does not know the recipe (yet). */
function insertIfRecipeKnown(deps: CommentDeps, author: User, draft: CommentDraft): Promise<Comment | undefined> {
  return deps.prisma.$transaction(async (tx) => {
    const status = await recipeStatus(tx, draft.recipeId);
    if (status === 'unknown') return undefined;
    if (status === 'deleted') throw new NotFoundError('recipe', draft.recipeId);
    const now = deps.clock();
    const comment = await tx.comment.create({
      data: { ...draft, id: deps.newId(), authorId: author.id, authorName: author.name, createdAt: now, version: 1 },
    });
    await appendToOutbox(tx, commentAdded(comment, newEventMeta(deps, now, author)));
    return comment;
  });
}
