import { mayChange, type User } from '@potluck/identity';
import { ForbiddenError, NotFoundError, isUuid } from '@potluck/service';
import type { Transaction } from '../db.js';

/**
 * Locks the recipe's row for the rest of the transaction and checks the user may change it:
 * NOT_FOUND when there is no such recipe, FORBIDDEN unless they wrote it or moderate. The lock
 * keeps the decision true until the change commits.
 */
export async function lockForChange(tx: Transaction, user: User, id: string, action: 'update' | 'delete') {
  if (!isUuid(id)) throw new NotFoundError('recipe', id);
  const [row] = await tx.$queryRaw<Array<{ id: string; author_id: string }>>`
    SELECT id::text AS id, author_id FROM recipes WHERE id = ${id}::uuid FOR UPDATE`;
  if (!row) throw new NotFoundError('recipe', id);
  if (!mayChange(user, row.author_id)) {
    throw new ForbiddenError(`Only the recipe's author or a moderator may ${action} it`);
  }
  return row.id;
}
