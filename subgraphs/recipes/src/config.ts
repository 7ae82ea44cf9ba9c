import { parseEnv, subgraphEnvSchema, type Env } from '@potluck/service';

const schema = subgraphEnvSchema(4001);
export { schema as recipesEnvSchema };

export type RecipesConfig = ReturnType<typeof loadConfig>;

export function loadConfig(env: Env) {
  return parseEnv(schema, env);
}
