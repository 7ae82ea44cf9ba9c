import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { envVar, parseEnv, type Env } from '@potluck/service';

const DEFAULT_SUPERGRAPH = fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url));

const schema = z.object({
  HOST: z.string().default('0.0.0.0'),
  PORT: envVar.port(4000),
  SUPERGRAPH_PATH: z
    .string()
    .default(DEFAULT_SUPERGRAPH)
    .transform((file) => path.resolve(file)),
  RECIPES_URL: envVar.url(['http', 'https']).optional(),
  COMMENTS_URL: envVar.url(['http', 'https']).optional(),
  INTROSPECTION: envVar.boolean(true),
  STACKTRACES: envVar.boolean(false),
  LOG_LEVEL: envVar.logLevel(),
  SHUTDOWN_TIMEOUT_MS: envVar.milliseconds(10_000),
});

export type GatewayConfig = ReturnType<typeof loadConfig>;

export function loadConfig(env: Env) {
  return parseEnv(schema, env);
}

/** Subgraph URLs that replace the ones composed into the supergraph, by subgraph name. */
export function urlOverrides(config: GatewayConfig): Record<string, string> {
  return Object.fromEntries(
    Object.entries({ recipes: config.RECIPES_URL, comments: config.COMMENTS_URL }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
}
