import type { PrismaClient } from '../db.js';

/** What recipe operations need from the outside world; tests pass their own clock and ids. */
export interface RecipeDeps {
  prisma: PrismaClient;
  clock: () => Date;
  newId: () => string;
}
