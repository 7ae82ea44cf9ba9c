import type { Transaction } from '../db.js';

/**
 * Applies a recipe event to the replica if it is newer than what the replica holds.
 * A delete leaves a tombstone, so an older update arriving later cannot bring the
 * recipe back. `changedBy` is the event's actor. Returns whether the replica changed.
 */
export async function applyRecipeFact(
  tx: Transaction,
  fact: { id: string; version: number; deleted: boolean; changedBy: string | null },
): Promise<boolean> {
  const changed = await tx.$executeRaw`
    INSERT INTO recipe_replica (id, version, deleted, changed_by)
    VALUES (${fact.id}::uuid, ${fact.version}, ${fact.deleted}, ${fact.changedBy})
    ON CONFLICT (id) DO UPDATE
      SET version = EXCLUDED.version, deleted = EXCLUDED.deleted, changed_by = EXCLUDED.changed_by, updated_at = now()
      WHERE recipe_replica.version < EXCLUDED.version`;
  return changed === 1;
}

export type RecipeStatus = 'live' | 'deleted' | 'unknown';

/** What the replica knows of a recipe, share-locking its row until the transaction ends. */
export async function recipeStatus(tx: Transaction, recipeId: string): Promise<RecipeStatus> {
  const [row] = await tx.$queryRaw<Array<{ deleted: boolean }>>`
    SELECT deleted FROM recipe_replica WHERE id = ${recipeId}::uuid FOR SHARE`;
  if (!row) return 'unknown';
  return row.deleted ? 'deleted' : 'live';
}
