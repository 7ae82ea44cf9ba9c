import { producerFor, type ConsumerHandlers } from '@potluck/messaging';
import type { OperationDeps } from '@potluck/service';
import type { PrismaClient, Transaction } from './db.js';
import { onRecipeChanged, onRecipeDeleted } from './handlers/onRecipeEvents.js';

/** The recipes service's events this service keeps its recipe replica from. */
export const CONSUMES_FROM = producerFor('comments');

/** What this service consumes (`CONSUMED_BY.comments`), and how: the queue's bindings are these keys. */
export function recipeEventHandlers(deps: Pick<OperationDeps<PrismaClient>, 'clock' | 'newId'>) {
  return {
    'recipe.created': onRecipeChanged,
    'recipe.updated': onRecipeChanged,
    'recipe.deleted': (event, tx) => onRecipeDeleted(event, tx, deps),
  } satisfies ConsumerHandlers<'comments', Transaction>;
}
