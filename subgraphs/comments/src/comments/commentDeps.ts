import type { OperationDeps } from '@potluck/service';
import type { PrismaClient } from '../db.js';

/** What comment operations need from the outside world; tests pass their own clock and ids. */
export type CommentDeps = OperationDeps<PrismaClient>;
