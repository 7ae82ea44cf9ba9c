import { findByIds, isUuid } from '@potluck/service';
import type { Recipe } from '../generated/prisma/client.js';
import type { RecipeDeps } from './recipeDeps.js';

/** null for an unknown or malformed id: the caller asked for something that is not there. */
export async function getRecipe(deps: Pick<RecipeDeps, 'prisma'>, id: string): Promise<Recipe | null> {
  if (!isUuid(id)) return null;
  return deps.prisma.recipe.findUnique({ where: { id } });
}

/** Entity resolution for the gateway: one query for a whole batch, results in the asked order. */
export function getRecipesByIds(
  deps: Pick<RecipeDeps, 'prisma'>,
  ids: readonly string[],
): Promise<Array<Recipe | null>> {
  return findByIds(ids, (uuids) => deps.prisma.recipe.findMany({ where: { id: { in: uuids } } }));
}
