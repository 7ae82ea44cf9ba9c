import { appendToOutbox } from '@potluck/messaging';
import type { User } from '@potluck/identity';
import { newEventMeta } from '@potluck/service';
import { lockForChange } from './recipeAccess.js';
import type { RecipeDeps } from './recipeDeps.js';
import { recipeDeleted } from './recipeEvents.js';

/**
 * Deletes the recipe and records `recipe.deleted` (one version past the last state) atomically,
 * when the user is its author or a moderator.
 */
export async function deleteRecipe(deps: RecipeDeps, user: User, id: string): Promise<string> {
  const now = deps.clock();
  return deps.prisma.$transaction(async (tx) => {
    // The stored id, not the argument: a client may spell a uuid in upper case, consumers compare it as text.
    const storedId = await lockForChange(tx, user, id, 'delete');
    const [deleted] = await tx.$queryRaw<Array<{ id: string; version: number }>>`
      DELETE FROM recipes WHERE id = ${storedId}::uuid RETURNING id::text AS id, version`;
    await appendToOutbox(tx, recipeDeleted(deleted!.id, deleted!.version + 1, newEventMeta(deps, now, user)));
    return deleted!.id;
  });
}
