import { findByIds } from '@potluck/service';
import type { Comment } from '../generated/prisma/client.js';
import type { CommentDeps } from './commentDeps.js';

/** Entity resolution and `Query.comment`: one query for a batch, null for unknown or malformed ids. */
export function getCommentsByIds(
  deps: Pick<CommentDeps, 'prisma'>,
  ids: readonly string[],
): Promise<Array<Comment | null>> {
  return findByIds(ids, (uuids) => deps.prisma.comment.findMany({ where: { id: { in: uuids } } }));
}
