import { isUuid } from '@potluck/service';
import type { Comment } from '../generated/prisma/client.js';
import type { CommentDeps } from './commentDeps.js';

/** Entity resolution and `Query.comment`: one query for a batch, null for unknown or malformed ids. */
export async function getCommentsByIds(
  deps: Pick<CommentDeps, 'prisma'>,
  ids: readonly string[],
): Promise<Array<Comment | null>> {
  const valid = ids.filter(isUuid);
  const found = valid.length > 0 ? await deps.prisma.comment.findMany({ where: { id: { in: valid } } }) : [];
  const byId = new Map(found.map((comment) => [comment.id, comment]));
  // Postgres answers with lowercase UUIDs; a caller may have asked in uppercase.
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}
