import { SEED_RECIPES } from './seedData.js';
import { loadSeedConfig } from './seedConfig.js';
import { seedGatewayOf } from './seedGateway.js';
import { seedRecipes, signInRefused } from './seedRecipes.js';

/**
 * `npm run seed`: demo recipes with comments, through the gateway (GATEWAY_URL), only when
 * there are no recipes yet, created by the demo users (or SEED_TOKEN's user). Works against
 * `npm start`, and against any gateway given a token it accepts.
 */
try {
  const config = loadSeedConfig(process.env);
  const result = await seedRecipes(await seedGatewayOf(config), SEED_RECIPES, { timeoutMs: config.SEED_TIMEOUT_MS });
  console.log(
    result.seeded
      ? `seeded ${result.recipes} recipes and ${result.comments} comments through ${config.GATEWAY_URL}`
      : `skipped: ${config.GATEWAY_URL} already has ${result.existingRecipes} recipes`,
  );
} catch (error) {
  console.error(`seed failed: ${error instanceof Error ? error.message : String(error)}`);
  if (signInRefused(error)) {
    console.error(
      "The gateway refused the seed's token. Against `npm start`, run the seed from the same checkout (or with the same AUTH_DEV_FILE, AUTH_ISSUER, AUTH_AUDIENCE); against a gateway with a real identity provider, set SEED_TOKEN.",
    );
  }
  process.exit(1);
}
