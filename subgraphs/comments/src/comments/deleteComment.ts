import { appendToOutbox } from '@potluck/messaging';
import { mayChange, type User } from '@potluck/identity';
import { ForbiddenError, NotFoundError, isUuid, newEventMeta } from '@potluck/service';
import type { CommentDeps } from './commentDeps.js';
import { commentDeleted } from './commentEvents.js';

/**
 * Deletes the comment and records `comment.deleted` (one version past its last state)
 * atomically, when the user wrote it or moderates; FORBIDDEN otherwise, and nothing changes.
 */
export async function deleteComment(deps: CommentDeps, user: User, id: string): Promise<string> {
  if (!isUuid(id)) throw new NotFoundError('comment', id);
  const now = deps.clock();
  return deps.prisma.$transaction(async (tx) => {
    const [comment] = await tx.$queryRaw<Array<{ id: string; author_id: string }>>`
      SELECT id::text AS id, author_id FROM comments WHERE id = ${id}::uuid FOR UPDATE`;
    if (!comment) throw new NotFoundError('comment', id);
    if (!mayChange(user, comment.author_id)) {
      throw new ForbiddenError("Only the comment's author or a moderator may delete it");
    }
    const [removed] = await tx.$queryRaw<Array<{ id: string; recipe_id: string; version: number }>>`
      DELETE FROM comments WHERE id = ${comment.id}::uuid RETURNING id, recipe_id, version`;
    // The stored (lowercase) id, so the event names the comment exactly as comment.added did.
    const deleted = { id: removed!.id, recipeId: removed!.recipe_id, version: removed!.version + 1 };
    await appendToOutbox(tx, commentDeleted(deleted, newEventMeta(deps, now, user)));
    return removed!.id;
  });
}
