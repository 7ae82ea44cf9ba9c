import { isUuid } from '@potluck/service';
import type { Recipe } from '../generated/prisma/client.js';
import type { RecipeDeps } from './recipeDeps.js';

/** null for an unknown or malformed id: the caller asked for something that is not there. */
export async function getRecipe(deps: Pick<RecipeDeps, 'prisma'>, id: string): Promise<Recipe | null> {
  if (!isUuid(id)) return null;
  return deps.prisma.recipe.findUnique({ where: { id } });
}

/** Entity resolution for the gateway: one query for a whole batch, results in the asked order. */
export async function getRecipesByIds(
  deps: Pick<RecipeDeps, 'prisma'>,
  ids: readonly string[],
): Promise<Array<Recipe | null>> {
  const valid = ids.filter(isUuid);
  const found = valid.length > 0 ? await deps.prisma.recipe.findMany({ where: { id: { in: valid } } }) : [];
  const byId = new Map(found.map((recipe) => [recipe.id, recipe]));
  // Postgres returns uuids in lower case; a representation may spell one in upper case.
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}
