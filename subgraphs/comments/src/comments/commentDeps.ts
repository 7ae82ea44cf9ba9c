import type { PrismaClient } from '../db.js';

/** What comment operations need from the outside world; tests pass their own clock and ids. */
export interface CommentDeps {
  prisma: PrismaClient;
  clock: () => Date;
  newId: () => string;
}
