import { parseEnv, subgraphEnvSchema, type Env } from '@potluck/service';

const schema = subgraphEnvSchema(4002);

export type CommentsConfig = ReturnType<typeof loadConfig>;

export function loadConfig(env: Env) {
  return parseEnv(schema, env);
}
