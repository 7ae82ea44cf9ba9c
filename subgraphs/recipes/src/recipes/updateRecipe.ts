import { appendToOutbox } from '@potluck/messaging';
import type { User } from '@potluck/identity';
import { newEventMeta } from '@potluck/service';
import type { Recipe } from '../generated/prisma/client.js';
import { lockForChange } from './recipeAccess.js';
import type { RecipeDeps } from './recipeDeps.js';
import { recipeChanged } from './recipeEvents.js';
import { validateRecipeChanges } from './recipeRules.js';

/**
 * Changes only the given fields, raises the version and records `recipe.updated`, atomically,
 * when the user is the recipe's author or a moderator. An update that gives no fields changes
 * nothing and emits nothing (but is still refused to someone who may not change the recipe).
 */
export async function updateRecipe(deps: RecipeDeps, user: User, id: string, input: object): Promise<Recipe> {
  const changes = validateRecipeChanges(input);
  const now = deps.clock();
  return deps.prisma.$transaction(async (tx) => {
    const storedId = await lockForChange(tx, user, id, 'update');
    if (Object.keys(changes).length === 0) return tx.recipe.findUniqueOrThrow({ where: { id: storedId } });
    const recipe = await tx.recipe.update({
      where: { id: storedId },
      data: { ...changes, updatedAt: now, version: { increment: 1 } },
    });
    await appendToOutbox(tx, recipeChanged('recipe.updated', recipe, newEventMeta(deps, now, user)));
    return recipe;
  });
}
