import { commandEnv, runReplayCommand } from '@potluck/service';
import { loadConfig } from '../config.js';
import { createPrisma } from '../db.js';
import { recipeChanged } from '../recipes/recipeEvents.js';

/** `npm run replay -w @potluck/recipes`: re-emits every recipe as recipe.updated at its current version. */
const prisma = createPrisma(loadConfig(commandEnv('recipes')).DATABASE_URL);
await runReplayCommand('recipes', prisma, {
  loadPage: (page) => prisma.recipe.findMany(page),
  snapshot: (recipe, meta) => recipeChanged('recipe.updated', recipe, meta),
});
