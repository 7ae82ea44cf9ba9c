import { z } from 'zod';
import { envVar, eventSyncEnv, parseEnv, type Env } from '@potluck/service';

/** The variables of `npm start` and `npm run migrate`, all with localhost defaults. */
const schema = z.object({
  RECIPES_DATABASE_URL: envVar.url(['postgres', 'postgresql']).default('postgresql://postgres@127.0.0.1:5432/recipes'),
  COMMENTS_DATABASE_URL: envVar
    .url(['postgres', 'postgresql'])
    .default('postgresql://postgres@127.0.0.1:5432/comments'),
  AMQP_URL: envVar.url(['amqp', 'amqps']).default('amqp://guest:guest@127.0.0.1:5672'),
  AMQP_PREFIX: envVar.amqpPrefix(),
  GATEWAY_PORT: envVar.port(4000),
  RECIPES_PORT: envVar.port(4001),
  COMMENTS_PORT: envVar.port(4002),
  LOG_LEVEL: envVar.logLevel(),
  /** The subgraphs' (they inherit the environment): the work queues `npm start` declares take it. */
  EVENT_DELIVERY_LIMIT: eventSyncEnv.EVENT_DELIVERY_LIMIT,
});
export { schema as stackEnvSchema };

export type StackConfig = ReturnType<typeof loadStackConfig>;

export function loadStackConfig(env: Env) {
  return parseEnv(schema, env);
}
