import { appendToOutbox } from '@potluck/messaging';
import type { User } from '@potluck/identity';
import { newEventMeta } from '@potluck/service';
import type { Recipe } from '../generated/prisma/client.js';
import type { RecipeDeps } from './recipeDeps.js';
import { recipeChanged } from './recipeEvents.js';
import { validateNewRecipe } from './recipeRules.js';

/** Validates, stores the recipe at version 1 with the user as its author, and records `recipe.created`, atomically. */
export async function createRecipe(deps: RecipeDeps, author: User, input: object): Promise<Recipe> {
  const draft = validateNewRecipe(input);
  const now = deps.clock();
  return deps.prisma.$transaction(async (tx) => {
    const recipe = await tx.recipe.create({
      data: {
        ...draft,
        id: deps.newId(),
        authorId: author.id,
        authorName: author.name,
        createdAt: now,
        updatedAt: now,
        version: 1,
      },
    });
    await appendToOutbox(tx, recipeChanged('recipe.created', recipe, newEventMeta(deps, now, author)));
    return recipe;
  });
}
