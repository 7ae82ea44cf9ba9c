import { appendToOutbox } from '@potluck/events';
import { NotFoundError, isUuid } from '@potluck/service';
import type { Recipe } from '../generated/prisma/client.js';
import type { RecipeDeps } from './recipeDeps.js';
import { recipeChanged } from './recipeEvents.js';
import { validateRecipeChanges } from './recipeRules.js';

/**
 * Changes only the given fields, raises the version and records `recipe.updated`, atomically.
 * An update that gives no fields changes nothing and emits nothing.
 */
export async function updateRecipe(deps: RecipeDeps, id: string, input: object): Promise<Recipe> {
  const changes = validateRecipeChanges(input);
  if (!isUuid(id)) throw new NotFoundError('recipe', id);
  if (Object.keys(changes).length === 0) {
    const current = await deps.prisma.recipe.findUnique({ where: { id } });
    if (!current) throw new NotFoundError('recipe', id);
    return current;
  }
  const now = deps.clock();
  return deps.prisma.$transaction(async (tx) => {
    const { count } = await tx.recipe.updateMany({
      where: { id },
      data: { ...changes, updatedAt: now, version: { increment: 1 } },
    });
    if (count === 0) throw new NotFoundError('recipe', id);
    const recipe = await tx.recipe.findUniqueOrThrow({ where: { id } });
    await appendToOutbox(tx, recipeChanged('recipe.updated', recipe, deps.newId(), now, deps.correlationId()));
    return recipe;
  });
}
