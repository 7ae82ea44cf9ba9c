import type { EventType } from '@potluck/events';

/** The recipes service's events this service keeps its recipe replica from. */
export const CONSUMES_FROM = 'recipes';
export const BINDINGS: readonly EventType[] = ['recipe.created', 'recipe.updated', 'recipe.deleted'];
