import { createEnvelope, type EventData, type EventEnvelope, type RecipeState } from '@potluck/events';
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
  eventId: string,
  now: Date,
  correlationId?: string,
): EventEnvelope<RecipeState> {
  return createEnvelope({
    id: eventId,
    type,
    occurredAt: now,
    aggregateId: recipe.id,
    aggregateVersion: recipe.version,
    correlationId,
    data: recipeState(recipe),
  });
}

export function recipeDeleted(
  recipeId: string,
  version: number,
  eventId: string,
  now: Date,
  correlationId?: string,
): EventEnvelope<EventData['recipe.deleted']> {
  return createEnvelope({
    id: eventId,
    type: 'recipe.deleted',
    occurredAt: now,
    aggregateId: recipeId,
    aggregateVersion: version,
    correlationId,
    data: { id: recipeId },
  });
}
