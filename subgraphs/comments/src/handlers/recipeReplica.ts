import type { Transaction } from '../db.js';

export interface RecipeFact {
  id: string;
  version: number;
  deleted: boolean;
  /** The event's actor: who made the change. */
  changedBy: string | null;
}

/**
 * Applies recipe events to the replica, each only if it is newer than what the replica
 * holds, in one statement however many there are. A delete leaves a tombstone, so an older
 * update arriving later cannot bring the recipe back. Returns how many replica rows changed.
 */
export async function applyRecipeFacts(tx: Transaction, facts: readonly RecipeFact[]): Promise<number> {
  // One statement may not touch a row twice; the newest fact of a recipe is what applying them in turn leaves.
  const newest = newestPerRecipe(facts);
  return tx.$executeRaw`
    INSERT INTO recipe_replica (id, version, deleted, changed_by)
    SELECT * FROM unnest(${newest.map((fact) => fact.id)}::uuid[], ${newest.map((fact) => fact.version)}::int[],
                         ${newest.map((fact) => fact.deleted)}::boolean[], ${newest.map((fact) => fact.changedBy)}::varchar[])
    ON CONFLICT (id) DO UPDATE
      SET version = EXCLUDED.version, deleted = EXCLUDED.deleted, changed_by = EXCLUDED.changed_by, updated_at = now()
      WHERE recipe_replica.version < EXCLUDED.version`;
}

/** Applies one recipe event (see `applyRecipeFacts`); returns whether the replica changed. */
export async function applyRecipeFact(tx: Transaction, fact: RecipeFact): Promise<boolean> {
  return (await applyRecipeFacts(tx, [fact])) === 1;
}

/** Of several facts about one recipe, the one with the highest version, the first of equals (a later equal one changes nothing). */
function newestPerRecipe(facts: readonly RecipeFact[]): RecipeFact[] {
  const newest = new Map<string, RecipeFact>();
  for (const fact of facts) {
    const key = fact.id.toLowerCase();
    const held = newest.get(key);
    if (!held || held.version < fact.version) newest.set(key, fact);
  }
  return [...newest.values()];
}

export type RecipeStatus = 'live' | 'deleted' | 'unknown';

/** What the replica knows of a recipe, share-locking its row until the transaction ends. */
export async function recipeStatus(tx: Transaction, recipeId: string): Promise<RecipeStatus> {
  const [row] = await tx.$queryRaw<Array<{ deleted: boolean }>>`
    SELECT deleted FROM recipe_replica WHERE id = ${recipeId}::uuid FOR SHARE`;
  if (!row) return 'unknown';
  return row.deleted ? 'deleted' : 'live';
}
