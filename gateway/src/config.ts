import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { amqpUser } from '@potluck/messaging';
import { z } from 'zod';
import {
  allowedHostsVar,
  ConfigError,
  corsOriginsVar,
  envVar,
  httpLimitsOf,
  httpServerEnv,
  internalAuthSecretOf,
  metricsEnv,
  parseEnv,
  userAuthOf,
  userAuthEnv,
  type Env,
} from '@potluck/service';

const DEFAULT_SUPERGRAPH = fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url));
const DEFAULT_OPERATIONS = fileURLToPath(new URL('../../schema/operations', import.meta.url));

/** Whose function shapes results (`apolloResultShaping.ts`). */
const RESULT_SHAPINGS = ['potluck', 'apollo'] as const;

export type ResultShaping = (typeof RESULT_SHAPINGS)[number];

/** A merged call aliases each fetch's root fields; more would meet the subgraphs' default MAX_ALIASES (60). */
const MOST_FETCHES_PER_CALL = 32;

const positive = () => z.coerce.number().int('must be a whole number').min(1);
const count = (fallback: number) => positive().default(fallback);

/** Subscriptions: the broker the event stream is on (none: subscriptions are refused), its retention and the limits. */
const subscriptionEnv = {
  AMQP_URL: envVar.url(['amqp', 'amqps']).optional(),
  AMQP_PREFIX: envVar.amqpPrefix(),
  EVENT_PUBLISHERS: envVar.list().pipe(z.array(z.string()).min(1, 'must name at least one RabbitMQ user')).optional(),
  SUBSCRIPTION_STREAM_MAX_AGE: z
    .string()
    .regex(/^[1-9]\d{0,5}[YMDhms]$/, 'must be a number and one unit of Y, M, D, h, m or s, e.g. 7D')
    .default('7D'),
  SUBSCRIPTION_STREAM_MAX_BYTES: count(5_000_000_000),
  SUBSCRIPTION_STREAM_SEGMENT_BYTES: count(100_000_000),
  SUBSCRIPTIONS_PER_CONNECTION: count(100),
  SUBSCRIPTIONS_PER_ADDRESS: count(100),
  SUBSCRIPTION_MAX_UNSENT_BYTES: count(1024 * 1024),
  /** Unset: SUBSCRIPTIONS_PER_ADDRESS (one subscription per socket uses an address's whole share). */
  WEBSOCKETS_PER_ADDRESS: positive().optional(),
  /** Unset: 80% of HTTP_MAX_CONNECTIONS, so plain HTTP (queries, health checks) keeps headroom. */
  WEBSOCKETS_MAX: positive().optional(),
  WEBSOCKET_IDLE_TIMEOUT_MS: envVar.milliseconds(60_000),
  SUBSCRIPTION_CATCH_UP_READERS: count(64),
};

/** The entity cache (docs/caching.md): off by default; on, it needs AMQP_URL (the event stream invalidates it). */
const entityCacheEnv = {
  ENTITY_CACHE: envVar.boolean(false),
  ENTITY_CACHE_MAX_BYTES: count(64 * 1024 * 1024),
  ENTITY_CACHE_TTL_MS: envVar.milliseconds(5 * 60_000),
  ENTITY_CACHE_RESPONSES: envVar.boolean(true),
  ENTITY_CACHE_STREAM_DEADLINE_MS: envVar.milliseconds(3000, {
    ms: 500,
    reason: 'or an ordinary busy moment would stall the cache (its marks go every third of it)',
  }),
};

/** Fetches to a merged call by default: the most at which a page's merged fetches still compile in the subgraphs. */
export const DEFAULT_SUBGRAPH_BATCH_MAX = 16;

const schema = z.object({
  POTLUCK_MODE: envVar.mode(),
  HOST: z.string().default('0.0.0.0'),
  PORT: envVar.port(4000),
  SUPERGRAPH_PATH: z
    .string()
    .default(DEFAULT_SUPERGRAPH)
    .transform((file) => path.resolve(file)),
  SUPERGRAPH_POLL_MS: envVar.milliseconds(1000),
  OPERATIONS_DIR: z
    .string()
    .default(DEFAULT_OPERATIONS)
    .transform((dir) => path.resolve(dir)),
  RECIPES_URL: envVar.url(['http', 'https']).optional(),
  COMMENTS_URL: envVar.url(['http', 'https']).optional(),
  SUBGRAPH_TIMEOUT_MS: envVar.milliseconds(5000),
  RECIPES_TIMEOUT_MS: envVar.optionalMilliseconds(),
  COMMENTS_TIMEOUT_MS: envVar.optionalMilliseconds(),
  SUBGRAPH_DEDUPE: envVar.boolean(true),
  // Concurrent requests' queries to one subgraph go as one call, up to this many (1: each alone; see batching/).
  SUBGRAPH_BATCH_MAX: positive()
    .max(MOST_FETCHES_PER_CALL, `must be at most ${MOST_FETCHES_PER_CALL}: a subgraph's MAX_ALIASES counts each one`)
    .default(DEFAULT_SUBGRAPH_BATCH_MAX),
  RESULT_SHAPING: z.enum(RESULT_SHAPINGS, { message: `must be ${RESULT_SHAPINGS.join(' or ')}` }).default('potluck'),
  INTROSPECTION: z
    .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
    .transform((value) => value === 'true' || value === '1')
    .optional(),
  STACKTRACES: envVar.boolean(false),
  MAX_DEPTH: count(12),
  MAX_ALIASES: count(30),
  // graphql-armor's cost at real page sizes: a full page of 100 recipes with 20 comments each passes, 100 × 100 does not.
  MAX_COST: count(500_000),
  MAX_TOKENS: count(1000),
  MAX_DIRECTIVES: count(50),
  MAX_PAGE_SIZE: count(100),
  MAX_BODY_BYTES: count(1024 * 1024),
  LOG_LEVEL: envVar.logLevel(),
  SHUTDOWN_TIMEOUT_MS: envVar.milliseconds(10_000),
  ALLOWED_HOSTS: allowedHostsVar(),
  CORS_ORIGINS: corsOriginsVar(),
  APOLLO_TELEMETRY: envVar.boolean(false),
  ...subscriptionEnv,
  ...entityCacheEnv,
  ...httpServerEnv,
  ...userAuthEnv,
  ...metricsEnv,
});
export { schema as gatewayEnvSchema };

/**
 * The gateway's settings. `POTLUCK_MODE` (development or production) only picks defaults:
 * introspection is on in development and off in production unless INTROSPECTION says
 * otherwise; stack traces can never be turned on in production.
 */
export function loadConfig(env: Env) {
  const parsed = parseEnv(schema, env);
  if (parsed.POTLUCK_MODE === 'production' && parsed.STACKTRACES) {
    throw new ConfigError([`STACKTRACES: must be false when POTLUCK_MODE is production (got "${env.STACKTRACES}")`]);
  }
  httpLimitsOf(parsed); // refuses inconsistent HTTP timeouts now, not when the server starts
  userAuthOf(parsed); // and token settings production refuses
  internalAuthSecretOf(parsed);
  if (parsed.SUBSCRIPTION_STREAM_SEGMENT_BYTES > parsed.SUBSCRIPTION_STREAM_MAX_BYTES) {
    throw new ConfigError([
      `SUBSCRIPTION_STREAM_SEGMENT_BYTES: must not exceed SUBSCRIPTION_STREAM_MAX_BYTES (${parsed.SUBSCRIPTION_STREAM_MAX_BYTES}) (got "${env.SUBSCRIPTION_STREAM_SEGMENT_BYTES}")`,
    ]);
  }
  if (parsed.WEBSOCKETS_MAX !== undefined && parsed.WEBSOCKETS_MAX >= parsed.HTTP_MAX_CONNECTIONS) {
    throw new ConfigError([
      `WEBSOCKETS_MAX: must be below HTTP_MAX_CONNECTIONS (${parsed.HTTP_MAX_CONNECTIONS}), which plain HTTP shares (got "${env.WEBSOCKETS_MAX}")`,
    ]);
  }
  if (parsed.ENTITY_CACHE && !parsed.AMQP_URL) {
    throw new ConfigError([
      'ENTITY_CACHE: needs AMQP_URL, the events that invalidate it (got "true" without AMQP_URL)',
    ]);
  }
  return Object.freeze({ ...parsed, INTROSPECTION: parsed.INTROSPECTION ?? parsed.POTLUCK_MODE === 'development' });
}

export type GatewayConfig = ReturnType<typeof loadConfig>;

/** The event stream's broker settings, or undefined when the gateway has no broker (no subscriptions). */
export function subscriptionBrokerOf(config: GatewayConfig) {
  if (!config.AMQP_URL) return undefined;
  return {
    url: config.AMQP_URL,
    prefix: config.AMQP_PREFIX,
    // As the subgraphs' consumers: unset, the gateway's own login, which on one shared login is also the publishers'.
    publishers: config.EVENT_PUBLISHERS ?? [amqpUser(config.AMQP_URL)],
    retention: {
      maxAge: config.SUBSCRIPTION_STREAM_MAX_AGE,
      maxBytes: config.SUBSCRIPTION_STREAM_MAX_BYTES,
      segmentBytes: config.SUBSCRIPTION_STREAM_SEGMENT_BYTES,
    },
  };
}

/** The subscription limits both transports apply (docs/subscriptions.md#limits). */
export function subscriptionSettingsOf(config: GatewayConfig) {
  return {
    maxPerAddress: config.SUBSCRIPTIONS_PER_ADDRESS,
    maxPerConnection: config.SUBSCRIPTIONS_PER_CONNECTION,
    maxUnsentBytes: config.SUBSCRIPTION_MAX_UNSENT_BYTES,
    maxTokens: config.MAX_TOKENS,
    maxMessageBytes: config.MAX_BODY_BYTES,
    maxSocketsPerAddress: config.WEBSOCKETS_PER_ADDRESS ?? config.SUBSCRIPTIONS_PER_ADDRESS,
    maxSockets: config.WEBSOCKETS_MAX ?? Math.max(1, Math.floor(config.HTTP_MAX_CONNECTIONS * 0.8)),
    socketIdleMs: config.WEBSOCKET_IDLE_TIMEOUT_MS,
    maxCatchUpReaders: config.SUBSCRIPTION_CATCH_UP_READERS,
  };
}

/** The entity cache's settings, or undefined when it is off. */
export function entityCacheOf(config: GatewayConfig) {
  if (!config.ENTITY_CACHE) return undefined;
  return {
    maxBytes: config.ENTITY_CACHE_MAX_BYTES,
    ttlMs: config.ENTITY_CACHE_TTL_MS,
    responses: config.ENTITY_CACHE_RESPONSES,
    streamDeadlineMs: config.ENTITY_CACHE_STREAM_DEADLINE_MS,
  };
}

/** Subgraph URLs that replace the ones composed into the supergraph, by subgraph name. */
export function urlOverrides(config: GatewayConfig): Record<string, string> {
  return Object.fromEntries(
    Object.entries({ recipes: config.RECIPES_URL, comments: config.COMMENTS_URL }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
}

/**
 * The deadline of one subgraph's calls: its own override, else SUBGRAPH_TIMEOUT_MS, which
 * is also what a subgraph added by a reloaded supergraph gets.
 */
export function subgraphTimeoutMs(config: GatewayConfig, name: string): number {
  const overrides = new Map([
    ['recipes', config.RECIPES_TIMEOUT_MS],
    ['comments', config.COMMENTS_TIMEOUT_MS],
  ]);
  return overrides.get(name) ?? config.SUBGRAPH_TIMEOUT_MS;
}
