import type { OperationDeps } from '@potluck/service';
import type { PrismaClient } from '../db.js';

/** What comment operations need from the outside world; tests pass their own clock and ids. */
export interface CommentDeps extends OperationDeps<PrismaClient> {
  /** How long addComment waits for an unknown recipe to appear in the replica. */
  recipeWaitMs: number;
}
