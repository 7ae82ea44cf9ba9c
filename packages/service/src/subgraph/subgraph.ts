import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse } from 'graphql';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { envVar } from '../config/config.js';
import { startGraphQLService, type RunningService } from '../http/graphqlService.js';
import { httpLimitsOf, httpServerEnv } from '../http/httpServer.js';
import { queryLimits } from '../limits/queryLimits.js';
import { createLogger, type Logger } from '../logger.js';
import type { ReadinessCheck } from '../http/readiness.js';
import { currentRequest } from '../http/requestScope.js';
import { eventSyncEnv } from './eventSyncConfig.js';
import { migrateSubgraph } from './migrations.js';
import { createServiceMetrics, metricsEnv } from '../metrics/serviceMetrics.js';
import { startEventSync, type InboxTransaction, type OutboxStats, type SubgraphEvents } from '@potluck/messaging';
import { createGatewayCredentialVerifier, type Viewer } from '@potluck/identity';
import type { PrismaConnectionOptions, ServiceDatabase, SqlReads } from '@potluck/db';
import { gatewayOnly } from './gatewayOnly.js';
import { compiledExecution } from '../graphql/compiledExecution.js';
import { internalAuthEnv, internalAuthSecretOf } from '../config/identityConfig.js';

const limit = (fallback: number) => z.coerce.number().int('must be a whole number').min(1).default(fallback);

/** The variables every subgraph reads; each subgraph extends this with its own. */
export function subgraphEnvSchema(defaultPort: number) {
  return z.object({
    POTLUCK_MODE: envVar.mode(),
    HOST: z.string().default('0.0.0.0'),
    PORT: envVar.port(defaultPort),
    DATABASE_URL: envVar.url(['postgres', 'postgresql']),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    MIGRATE_ON_START: envVar.boolean(true),
    INTROSPECTION: envVar.boolean(true),
    STACKTRACES: envVar.boolean(false),
    // Operations run compiled by graphql-jit where that is safe; false runs graphql-js' own execute (see compiledExecution).
    GRAPHQL_JIT: envVar.boolean(true),
    LOG_LEVEL: envVar.logLevel(),
    SHUTDOWN_TIMEOUT_MS: envVar.milliseconds(10_000),
    // A subgraph applies limits of its own to whoever reaches its port; a few levels more than
    // the gateway's, because a planned fetch wraps the client's selection in `_entities`.
    MAX_DEPTH: limit(16),
    MAX_ALIASES: limit(60),
    MAX_COST: limit(500_000),
    MAX_DIRECTIVES: limit(100),
    ...httpServerEnv,
    ...eventSyncEnv,
    ...internalAuthEnv,
    ...metricsEnv,
  });
}

export type SubgraphConfig = Readonly<z.infer<ReturnType<typeof subgraphEnvSchema>>>;

/** The connections' own bound (see `checkPageSize`), applied before a query runs as well. */
const MAX_PAGE_SIZE = 100;

/** What a subgraph needs of its Prisma client; `Tx` is the client inside `$transaction`. */
interface Database<Tx> {
  $queryRaw(query: TemplateStringsArray, ...values: unknown[]): Promise<unknown>;
  $transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  $disconnect(): Promise<void>;
}

/** What tests (and only tests) replace in a subgraph: the clock, ids, SQL observation, logging. */
export interface SubgraphOverrides {
  clock?: () => Date;
  newId?: () => string;
  onQuery?: (sql: string) => void;
  logger?: Logger;
}

/** The outside world an operation sees: its database, the time, and new ids (UUIDv7). */
export interface OperationDeps<Db> {
  prisma: Db;
  /** Plain reads on the same pool, for the hot read paths only (see `SqlReads`). */
  sql: SqlReads;
  clock: () => Date;
  newId: () => string;
  /** The id of the request being served (undefined outside one): events it causes carry it. */
  correlationId: () => string | undefined;
}

export interface SubgraphDefinition<Tx extends InboxTransaction, Db extends Database<Tx>, Context> {
  name: string;
  /** The subgraph's SDL; the example operations beside it (`operations/`) are the ones its metrics name. */
  schemaFile: string;
  /** The subgraph's own migrations; messaging's outbox and inbox migrations follow them. */
  migrationsDir: string;
  config: SubgraphConfig;
  overrides?: SubgraphOverrides;
  openDatabase(url: string, options: PrismaConnectionOptions & { poolSize: number }): ServiceDatabase<Db>;
  /** Typed from the subgraph's own SDL by GraphQL Code Generator; Apollo binds them to the schema at start. */
  resolvers: object;
  /** The viewer is who the gateway's credential names (null: nobody signed in). */
  createContext(deps: OperationDeps<Db>, viewer: Viewer): Context;
  events(deps: OperationDeps<Db>): SubgraphEvents<Tx>;
}

export interface RunningSubgraph<Db> {
  url: string;
  db: Db;
  logger: Logger;
  outboxStats(): Promise<OutboxStats>;
  /** Stops taking requests, finishes in-flight ones, stops event sync, then closes the database pool. */
  stop(): Promise<void>;
}

/** Starts a subgraph: migrations (when enabled), its database, and the GraphQL HTTP service. */
export async function startSubgraph<Tx extends InboxTransaction, Db extends Database<Tx>, Context extends object>(
  definition: SubgraphDefinition<Tx, Db, Context>,
): Promise<RunningSubgraph<Db>> {
  const { config, name, overrides = {} } = definition;
  const verifyCredential = createGatewayCredentialVerifier(internalAuthSecretOf(config), name);
  const logger = overrides.logger ?? createLogger(name, config.LOG_LEVEL);
  if (config.MIGRATE_ON_START) {
    const { applied } = await migrateSubgraph(config.DATABASE_URL, definition.migrationsDir);
    if (applied.length > 0) logger.info({ applied }, 'applied migrations');
  }
  const typeDefs = parse(await readFile(definition.schemaFile, 'utf8'));
  const metrics = await createServiceMetrics(config, path.join(path.dirname(definition.schemaFile), 'operations'));
  const schema = buildSubgraphSchema({ typeDefs, resolvers: definition.resolvers as GraphQLResolverMap<unknown> });
  const database = definition.openDatabase(config.DATABASE_URL, {
    poolSize: config.DATABASE_POOL_SIZE,
    onQuery: overrides.onQuery,
    onPoolError: (error) =>
      logger.warn({ err: error }, 'database closed an idle connection; the next query opens another'),
  });
  const db = database.prisma;
  const deps: OperationDeps<Db> = {
    prisma: db,
    sql: database.sql,
    clock: overrides.clock ?? (() => new Date()),
    newId: overrides.newId ?? (() => uuidv7()),
    correlationId: () => currentRequest()?.requestId,
  };
  const databaseCheck: ReadinessCheck = { name: 'database', check: async () => void (await db.$queryRaw`SELECT 1`) };
  const eventSync = await startEventSync<Tx>({
    service: name,
    config,
    transaction: (work) => db.$transaction(work),
    events: definition.events(deps),
    logger,
    metricsRegistry: metrics?.registry,
  }).catch(async (error: unknown) => {
    await database.close();
    throw error;
  });
  const limits = queryLimits({ ...config, MAX_PAGE_SIZE });
  let http: RunningService;
  try {
    http = await startGraphQLService<Context>({
      name,
      host: config.HOST,
      port: config.PORT,
      logger,
      apollo: config.GRAPHQL_JIT ? { gateway: compiledExecution(schema, logger, metrics?.registry) } : { schema },
      context: async ({ res }) => definition.createContext(deps, res.locals.viewer as Viewer),
      guard: gatewayOnly(verifyCredential),
      readinessChecks: [databaseCheck, ...eventSync.readinessChecks],
      validationRules: limits.validationRules,
      // Potluck sets no cache hints, and the cache-control plugin's per-field hook cost 5–8 % of a page's CPU.
      plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled(), ...limits.plugins],
      introspection: config.INTROSPECTION,
      includeStacktrace: config.STACKTRACES,
      httpLimits: httpLimitsOf(config),
      // No allowedHosts and no CORS: no browser calls a subgraph, only the gateway, by service name or IP.
      // Half the bound for requests in flight; the rest is for the consumer, the relay's confirms and the pools.
      drainTimeoutMs: Math.floor(config.SHUTDOWN_TIMEOUT_MS / 2),
      metrics,
    });
  } catch (error) {
    await eventSync.stop();
    await database.close();
    throw error;
  }
  return {
    url: http.url,
    db,
    logger,
    outboxStats: () => eventSync.relay.stats(),
    async stop() {
      await http.stop();
      await eventSync.stop();
      await database.close();
    },
  };
}
