import type { Transaction } from '../db.js';

export interface CommentFact {
  id: string;
  recipeId: string;
  version: number;
  deleted: boolean;
  /** The event's actor: who made the change. */
  changedBy: string | null;
}

/**
 * Applies a comment event to the replica if it is newer than what the replica holds.
 * A delete leaves a tombstone, so an older `comment.added` arriving later is ignored.
 * Returns whether the replica changed.
 */
export async function applyCommentFact(tx: Transaction, fact: CommentFact): Promise<boolean> {
  const changed = await tx.$executeRaw`
    INSERT INTO comment_replica (id, recipe_id, version, deleted, changed_by)
    VALUES (${fact.id}::uuid, ${fact.recipeId}::uuid, ${fact.version}, ${fact.deleted}, ${fact.changedBy})
    ON CONFLICT (id) DO UPDATE
      SET recipe_id = EXCLUDED.recipe_id, version = EXCLUDED.version, deleted = EXCLUDED.deleted,
          changed_by = EXCLUDED.changed_by, updated_at = now()
      WHERE comment_replica.version < EXCLUDED.version`;
  return changed === 1;
}

/**
 * Locks the recipe's row until the transaction ends. Taken before the replica changes, so
 * two consumers (replicas) applying comments of one recipe take turns: a count read in the
 * same statement that waited for the lock would still miss the other's comment (Postgres
 * keeps the statement's snapshot), and its update would overwrite the other's count.
 */
export async function lockRecipe(tx: Transaction, recipeId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM recipes WHERE id = ${recipeId}::uuid FOR UPDATE`;
}

/** Recounts a recipe's live comments from the replica rows; counts are never incremented. */
export async function recountComments(tx: Transaction, recipeId: string): Promise<void> {
  await tx.$executeRaw`
    UPDATE recipes
       SET comment_count = (SELECT count(*) FROM comment_replica WHERE recipe_id = ${recipeId}::uuid AND NOT deleted)
     WHERE id = ${recipeId}::uuid`;
}
