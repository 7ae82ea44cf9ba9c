import {
  createEnvelope,
  type EventData,
  type EventEnvelope,
  type EventMeta,
  type RecipeState,
} from '@potluck/messaging';
import type { Recipe } from '../generated/prisma/client.js';

/** The full state a recipe event carries, so consumers never call back. */
export function recipeState(recipe: Recipe): RecipeState {
  return {
    id: recipe.id,
    title: recipe.title,
    description: recipe.description,
    ingredients: recipe.ingredients,
    timeMinutes: recipe.timeMinutes,
    price: recipe.price.toFixed(2),
    createdAt: recipe.createdAt.toISOString(),
    updatedAt: recipe.updatedAt.toISOString(),
    version: recipe.version,
  };
}

export function recipeChanged(
  type: 'recipe.created' | 'recipe.updated',
  recipe: Recipe,
  meta: EventMeta,
): EventEnvelope<RecipeState> {
  return createEnvelope({
    ...meta,
    type,
    aggregateId: recipe.id,
    aggregateVersion: recipe.version,
    data: recipeState(recipe),
  });
}

export function recipeDeleted(
  recipeId: string,
  version: number,
  meta: EventMeta,
): EventEnvelope<EventData['recipe.deleted']> {
  return createEnvelope({
    ...meta,
    type: 'recipe.deleted',
    aggregateId: recipeId,
    aggregateVersion: version,
    data: { id: recipeId },
  });
}
