import { envVar, parseEnv, subgraphEnvSchema, type Env } from '@potluck/service';

const schema = subgraphEnvSchema(4002).extend({
  /** How long addComment waits for a just-created recipe to reach the replica before NOT_FOUND. */
  RECIPE_WAIT_MS: envVar.milliseconds(2000),
});
export { schema as commentsEnvSchema };

export type CommentsConfig = ReturnType<typeof loadConfig>;

export function loadConfig(env: Env) {
  return parseEnv(schema, env);
}
