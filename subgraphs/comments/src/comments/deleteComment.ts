import { appendToOutbox } from '@potluck/events';
import { NotFoundError, isUuid } from '@potluck/service';
import type { CommentDeps } from './commentDeps.js';
import { commentDeleted } from './commentEvents.js';

/** Deletes the comment and records `comment.deleted` (one version past its last state) atomically. */
export async function deleteComment(deps: CommentDeps, id: string): Promise<string> {
  if (!isUuid(id)) throw new NotFoundError('comment', id);
  const now = deps.clock();
  return deps.prisma.$transaction(async (tx) => {
    const [removed] = await tx.$queryRaw<Array<{ id: string; recipe_id: string; version: number }>>`
      DELETE FROM comments WHERE id = ${id}::uuid RETURNING id, recipe_id, version`;
    if (!removed) throw new NotFoundError('comment', id);
    // The stored (lowercase) id, so the event names the comment exactly as comment.added did.
    const deleted = { id: removed.id, recipeId: removed.recipe_id, version: removed.version + 1 };
    await appendToOutbox(tx, commentDeleted(deleted, deps.newId(), now, deps.correlationId()));
    return removed.id;
  });
}
