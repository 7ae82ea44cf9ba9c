import { appendToOutbox } from '@potluck/events';
import { commandEnv, replayAll } from '@potluck/service';
import { v7 as uuidv7 } from 'uuid';
import { loadConfig } from '../config.js';
import { createPrisma } from '../db.js';
import { recipeChanged } from '../recipes/recipeEvents.js';

/** `npm run replay -w @potluck/recipes`: re-emits every recipe as recipe.updated at its current version. */
const config = loadConfig(commandEnv('recipes'));
const prisma = createPrisma(config.DATABASE_URL);
try {
  const now = new Date();
  const count = await replayAll(
    (afterId, take) =>
      prisma.recipe.findMany({ where: afterId ? { id: { gt: afterId } } : {}, orderBy: { id: 'asc' }, take }),
    (recipes) =>
      prisma.$transaction(async (tx) => {
        for (const recipe of recipes)
          await appendToOutbox(tx, recipeChanged('recipe.updated', recipe, { id: uuidv7(), occurredAt: now }));
      }),
  );
  console.log(`recipes: queued ${count} recipe snapshot(s) in the outbox; the running service publishes them`);
} finally {
  await prisma.$disconnect();
}
