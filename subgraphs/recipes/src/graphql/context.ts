import DataLoader from 'dataloader';
import type { Recipe } from '../generated/prisma/client.js';
import type { RecipeDeps } from '../recipes/recipeDeps.js';
import { getRecipesByIds } from '../recipes/getRecipes.js';

export interface RecipesContext {
  deps: RecipeDeps;
  /** Batches the gateway's `_entities` lookups into one query per request. */
  recipeById: DataLoader<string, Recipe | null>;
}

export function createContext(deps: RecipeDeps): RecipesContext {
  return { deps, recipeById: new DataLoader((ids) => getRecipesByIds(deps, ids)) };
}
