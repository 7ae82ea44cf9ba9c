import DataLoader from 'dataloader';
import type { Viewer } from '@potluck/identity';
import type { Recipe } from '../generated/prisma/client.js';
import type { RecipeDeps } from '../recipes/recipeDeps.js';
import { getRecipesByIds } from '../recipes/getRecipes.js';

export interface RecipesContext {
  deps: RecipeDeps;
  /** Who the gateway says is asking; null when nobody signed in. */
  viewer: Viewer;
  /** Batches the gateway's `_entities` lookups into one query per request. */
  recipeById: DataLoader<string, Recipe | null>;
}

export function createContext(deps: RecipeDeps, viewer: Viewer): RecipesContext {
  return { deps, viewer, recipeById: new DataLoader((ids) => getRecipesByIds(deps, ids)) };
}
