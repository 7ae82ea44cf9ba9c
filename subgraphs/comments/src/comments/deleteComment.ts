import { appendToOutbox } from '@potluck/events';
import { NotFoundError, isUuid } from '@potluck/service';
import type { CommentDeps } from './commentDeps.js';
import { commentDeleted } from './commentEvents.js';

/** Deletes the comment and records `comment.deleted` (one version past its last state) atomically. */
export async function deleteComment(deps: CommentDeps, id: string): Promise<string> {
  if (!isUuid(id)) throw new NotFoundError('comment', id);
  const now = deps.clock();
  return deps.prisma.$transaction(async (tx) => {
    const [removed] = await tx.$queryRaw<Array<{ recipe_id: string; version: number }>>`
      DELETE FROM comments WHERE id = ${id}::uuid RETURNING recipe_id, version`;
    if (!removed) throw new NotFoundError('comment', id);
    const event = commentDeleted({ id, recipeId: removed.recipe_id, version: removed.version + 1 }, deps.newId(), now);
    await appendToOutbox(tx, event);
    return id;
  });
}
