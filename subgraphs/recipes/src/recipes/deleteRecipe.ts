import { appendToOutbox } from '@potluck/events';
import { NotFoundError, isUuid } from '@potluck/service';
import type { RecipeDeps } from './recipeDeps.js';
import { recipeDeleted } from './recipeEvents.js';

/** Deletes the recipe and records `recipe.deleted` (one version past the last state) atomically. */
export async function deleteRecipe(deps: RecipeDeps, id: string): Promise<string> {
  if (!isUuid(id)) throw new NotFoundError('recipe', id);
  const now = deps.clock();
  return deps.prisma.$transaction(async (tx) => {
    // The stored id, not the argument: a client may spell a uuid in upper case, consumers compare it as text.
    const [deleted] = await tx.$queryRaw<Array<{ id: string; version: number }>>`
      DELETE FROM recipes WHERE id = ${id}::uuid RETURNING id::text AS id, version`;
    if (!deleted) throw new NotFoundError('recipe', id);
    await appendToOutbox(tx, recipeDeleted(deleted.id, deleted.version + 1, deps.newId(), now, deps.correlationId()));
    return deleted.id;
  });
}
