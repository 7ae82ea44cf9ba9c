import { z } from 'zod';
import { ConfigError, envVar, parseEnv, type Env } from '@potluck/service';
import { devTokenEnv, devTokenRefusal } from './devTokens.js';

/**
 * The variables of `npm run seed`; the default is the gateway of `npm start`, and demo users
 * signed in with the development key, as that gateway expects (see devTokens.ts).
 */
const schema = z.object({
  GATEWAY_URL: envVar.url(['http', 'https']).default('http://localhost:4000/graphql'),
  /** How long to wait for the gateway to answer, and for the comments service to learn of a new recipe. */
  SEED_TIMEOUT_MS: envVar.milliseconds(60_000),
  /** A token from a real identity provider: everything is then created as its user. */
  SEED_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9\-_.]+$/, 'must be the token itself, without "Bearer "')
    .optional(),
  ...devTokenEnv,
});
export { schema as seedEnvSchema };

export type SeedConfig = ReturnType<typeof loadSeedConfig>;

export function loadSeedConfig(env: Env) {
  const config = parseEnv(schema, env);
  const refusal = config.SEED_TOKEN ? undefined : devTokenRefusal(config);
  if (refusal) throw new ConfigError([`SEED_TOKEN is required when ${refusal}`]);
  return config;
}
