import { gatewayClient } from './gatewayClient.js';
import { SEED_RECIPES } from './seedData.js';
import { loadSeedConfig } from './seedConfig.js';
import { seedRecipes } from './seedRecipes.js';

/**
 * `npm run seed`: demo recipes with comments, through the gateway (GATEWAY_URL), only when
 * there are no recipes yet. Works against `npm start` and `docker compose up` alike.
 */
try {
  const config = loadSeedConfig(process.env);
  const result = await seedRecipes(gatewayClient(config.GATEWAY_URL), SEED_RECIPES, {
    timeoutMs: config.SEED_TIMEOUT_MS,
  });
  console.log(
    result.seeded
      ? `seeded ${result.recipes} recipes and ${result.comments} comments through ${config.GATEWAY_URL}`
      : `skipped: ${config.GATEWAY_URL} already has ${result.existingRecipes} recipes`,
  );
} catch (error) {
  console.error(`seed failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
