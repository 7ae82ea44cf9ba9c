import { z } from 'zod';
import { envVar, parseEnv, type Env } from '@potluck/service';

/** The variables of `npm run seed`; the default is the gateway of `npm start`. */
const schema = z.object({
  GATEWAY_URL: envVar.url(['http', 'https']).default('http://localhost:4000/graphql'),
  /** How long to wait for the gateway to answer, and for the comments service to learn of a new recipe. */
  SEED_TIMEOUT_MS: envVar.milliseconds(60_000),
});

export type SeedConfig = ReturnType<typeof loadSeedConfig>;

export function loadSeedConfig(env: Env) {
  return parseEnv(schema, env);
}
