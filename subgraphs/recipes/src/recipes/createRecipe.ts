import { appendToOutbox } from '@potluck/events';
import type { Recipe } from '../generated/prisma/client.js';
import type { RecipeDeps } from './recipeDeps.js';
import { recipeChanged } from './recipeEvents.js';
import { validateNewRecipe } from './recipeRules.js';

/** Validates, stores the recipe at version 1 and records `recipe.created` in the same transaction. */
export async function createRecipe(deps: RecipeDeps, input: object): Promise<Recipe> {
  const draft = validateNewRecipe(input);
  const now = deps.clock();
  return deps.prisma.$transaction(async (tx) => {
    const recipe = await tx.recipe.create({
      data: { ...draft, id: deps.newId(), createdAt: now, updatedAt: now, version: 1 },
    });
    await appendToOutbox(tx, recipeChanged('recipe.created', recipe, deps.newId(), now, deps.correlationId()));
    return recipe;
  });
}
