import { appendToOutbox } from '@potluck/events';
import type { Comment } from '../generated/prisma/client.js';
import type { CommentDeps } from './commentDeps.js';
import { commentAdded } from './commentEvents.js';
import { validateNewComment } from './commentRules.js';

/** Validates, stores the comment at version 1 and records `comment.added` in the same transaction. */
export async function addComment(deps: CommentDeps, input: object): Promise<Comment> {
  const draft = validateNewComment(input);
  const now = deps.clock();
  return deps.prisma.$transaction(async (tx) => {
    const comment = await tx.comment.create({ data: { ...draft, id: deps.newId(), createdAt: now, version: 1 } });
    await appendToOutbox(tx, commentAdded(comment, deps.newId(), now));
    return comment;
  });
}
