import { ApolloGateway } from '@apollo/gateway';
import {
  createGatewayCredentialSigner,
  createUserTokenVerifier,
  type GatewayCredentialSigner,
} from '@potluck/identity';
import {
  costRules,
  createErrorFormatter,
  createLogger,
  createServiceMetrics,
  downChecksOf,
  internalAuthSecretOf,
  userAuthOf,
  httpLimitsOf,
  queryLimits,
  scalarLiteralsRule,
  scalarVariablesPlugin,
  startGraphQLService,
  type Logger,
  type ReadinessCheck,
  type ReadinessReport,
  type RunningService,
  type ServiceMetrics,
} from '@potluck/service';
import {
  entityCacheOf,
  subgraphTimeoutMs,
  subscriptionBrokerOf,
  subscriptionSettingsOf,
  urlOverrides,
  type GatewayConfig,
} from './config.js';
import { apolloGatewayVersion, SHAPES_LIKE_APOLLO_GATEWAY, useResultShaping } from './apolloResultShaping.js';
import { createGatewayContext, type GatewayContext } from './context.js';
import { createEntityCache, type GatewayEntityCache } from './entityCache/index.js';
import { IDE_DIST } from './ide/ideDist.js';
import { demoUsersOf } from './ide/demoUsers.js';
import { ideRoutes } from './ide/ideRoutes.js';
import { operationResolutionPlugin } from './operationResolution.js';
import { mutationsNeedSignInPlugin, userTokens } from './userTokens.js';
import { SubgraphDataSource } from './subgraphDataSource.js';
import { createSubgraphPools, type SubgraphPools } from './subgraphPools.js';
import { subgraphBatchMetrics, subgraphCallMetrics } from './subgraphMetrics.js';
import { readinessUrlOf, subgraphsOf, type SubgraphEndpoint } from './supergraph.js';
import { watchedSupergraph, type LoadedSupergraph, type SupergraphSource } from './supergraphSource.js';
import { federatedGateway } from './subscriptions/federatedExecution.js';
import { startSubscriptions, type Subscriptions } from './subscriptions/index.js';

export interface RunningGateway extends RunningService {
  logger: Logger;
}

/**
 * A subgraph's own readiness. Not required: with one subgraph down the gateway still answers
 * what the other owns (and names the missing one in errors), so it reports `degraded`
 * instead of leaving the load balancer with no gateway at all.
 */
function subgraphReadiness(subgraph: SubgraphEndpoint): ReadinessCheck {
  return {
    name: subgraph.name,
    required: false,
    async check() {
      const response = await fetch(readinessUrlOf(subgraph.url), { signal: AbortSignal.timeout(2000) });
      if (!response.ok) throw new Error(`${subgraph.name} answered ${response.status} on /health/ready`);
      const report = (await response.json().catch(() => undefined)) as ReadinessReport | undefined;
      if (report?.status !== 'ready') {
        throw new Error(
          `${subgraph.name} is ${report?.status ?? 'unreadable'}: ${(report && downChecksOf(report)) || 'no details'}`,
        );
      }
    },
  };
}

/** The supergraph in force and every subgraph it names, re-derived when a reload brings a new one. */
function readinessChecks(source: SupergraphSource, overrides: Record<string, string>): () => ReadinessCheck[] {
  const supergraph: ReadinessCheck = {
    name: 'supergraph',
    async check() {
      const loaded = source.current();
      if (!loaded) throw new Error('no supergraph loaded');
      const refused = source.lastRefused();
      return {
        loaded: true,
        hash: loaded.hash,
        loadedAt: loaded.loadedAt.toISOString(),
        ...(refused && refused.at > loaded.loadedAt && { lastRefused: { ...refused, at: refused.at.toISOString() } }),
      };
    },
  };
  let derivedFrom: LoadedSupergraph | undefined;
  let checks: ReadinessCheck[] = [supergraph];
  return () => {
    const loaded = source.current();
    if (loaded !== derivedFrom) {
      derivedFrom = loaded;
      checks = [supergraph, ...(loaded ? subgraphsOf(loaded.sdl, overrides).map(subgraphReadiness) : [])];
    }
    return checks;
  };
}

function withSubscriptions(checks: () => ReadinessCheck[], subscriptions: Subscriptions): () => ReadinessCheck[] {
  return () => [...checks(), ...subscriptions.readinessChecks];
}

/** Apollo Gateway over the watched supergraph, calling each subgraph through the shared pools with its own deadline. */
function createGateway(
  config: GatewayConfig,
  source: SupergraphSource,
  pools: SubgraphPools,
  credentials: GatewayCredentialSigner,
  logger: Logger,
  metrics: ServiceMetrics | undefined,
  cache: GatewayEntityCache | undefined,
) {
  const overrides = urlOverrides(config);
  const timerFor = metrics && subgraphCallMetrics(metrics.registry);
  const batchObserverFor = metrics && subgraphBatchMetrics(metrics.registry);
  // @apollo/gateway has no option for its usage telemetry: its constructor reads only this variable.
  if (!config.APOLLO_TELEMETRY) process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const shaping = useResultShaping(config.RESULT_SHAPING);
  if (shaping !== config.RESULT_SHAPING) {
    logger.warn(
      { wanted: config.RESULT_SHAPING, apolloGateway: apolloGatewayVersion, checkedWith: SHAPES_LIKE_APOLLO_GATEWAY },
      "Apollo Gateway's own result shaping is in use: Potluck's was checked against another version",
    );
  }
  return new ApolloGateway({
    supergraphSdl: source.hook,
    logger,
    validateSupergraph: true,
    buildService: ({ name, url }) =>
      new SubgraphDataSource({
        name,
        url: overrides[name] ?? url ?? '',
        pools,
        timeoutMs: subgraphTimeoutMs(config, name),
        logger,
        credentials,
        timer: timerFor?.(name),
        cache: cache?.fetchFor(name),
        batchMaxFetches: config.SUBGRAPH_BATCH_MAX,
        batchObserver: batchObserverFor?.(name),
      }),
  });
}

/**
 * Composition root of the gateway: the supergraph file (reloaded when it changes), served
 * over HTTP with the IDE, limits, health routes, request logs and a graceful stop.
 */
export async function startGateway(
  config: GatewayConfig,
  logger = createLogger('gateway', config.LOG_LEVEL),
): Promise<RunningGateway> {
  const source = watchedSupergraph(config.SUPERGRAPH_PATH, config.SUPERGRAPH_POLL_MS, logger);
  const pools = createSubgraphPools({ dedupe: config.SUBGRAPH_DEDUPE });
  const limits = queryLimits(config);
  const userAuth = userAuthOf(config);
  const credentials = createGatewayCredentialSigner(internalAuthSecretOf(config));
  const metrics = await createServiceMetrics(config, config.OPERATIONS_DIR);
  const cacheSettings = entityCacheOf(config);
  const cache = cacheSettings && createEntityCache(cacheSettings, metrics?.registry, logger);
  const gateway = federatedGateway(createGateway(config, source, pools, credentials, logger, metrics, cache), logger);
  cache?.followSupergraph(gateway.apolloGateway);
  const verify = createUserTokenVerifier(userAuth.settings, userAuth.keys);
  const guard = userTokens(verify);
  const subscriptions = await startSubscriptions({
    broker: subscriptionBrokerOf(config),
    gateway,
    verify,
    limits: {
      validationRules: [...limits.validationRules, scalarLiteralsRule()],
      costRules: costRules(config.MAX_COST),
      maxPageSize: config.MAX_PAGE_SIZE,
    },
    settings: subscriptionSettingsOf(config),
    allowedHosts: config.ALLOWED_HOSTS,
    corsOrigins: config.CORS_ORIGINS,
    format: createErrorFormatter(logger, { exposeInternals: config.STACKTRACES }),
    logger,
    registry: metrics?.registry,
  });
  const unfollow = cache && subscriptions.events ? cache.follow(subscriptions.events) : undefined;
  const ide = await ideRoutes({
    distDir: IDE_DIST,
    operationsDir: config.OPERATIONS_DIR,
    logger,
    demoUsers: demoUsersOf(userAuth),
  });
  const http = await startGraphQLService<GatewayContext>({
    name: 'gateway',
    host: config.HOST,
    port: config.PORT,
    logger,
    apollo: { gateway: gateway.apolloGateway as ApolloGateway },
    context: createGatewayContext,
    readinessChecks: withSubscriptions(readinessChecks(source, urlOverrides(config)), subscriptions),
    introspection: config.INTROSPECTION,
    includeStacktrace: config.STACKTRACES,
    bodyLimitBytes: config.MAX_BODY_BYTES,
    maxTokens: config.MAX_TOKENS,
    drainTimeoutMs: Math.floor(config.SHUTDOWN_TIMEOUT_MS * 0.8),
    validationRules: [...limits.validationRules, scalarLiteralsRule()],
    plugins: [
      operationResolutionPlugin(),
      scalarVariablesPlugin(),
      ...limits.plugins,
      mutationsNeedSignInPlugin(),
      ...(cache?.plugins ?? []),
    ],
    guard,
    routes: (app) => {
      ide(app);
      subscriptions.routes(guard, config.MAX_BODY_BYTES)(app);
    },
    upgrade: subscriptions.handleUpgrade,
    httpLimits: httpLimitsOf(config),
    allowedHosts: config.ALLOWED_HOSTS,
    corsOrigins: config.CORS_ORIGINS,
    metrics,
  });
  logger.info(
    {
      supergraph: config.SUPERGRAPH_PATH,
      hash: source.current()?.hash,
      mode: config.POTLUCK_MODE,
      tokens: { issuer: userAuth.settings.issuer, keys: userAuth.dev ? 'development key' : userAuth.settings.jwksUrl },
    },
    'gateway serving the supergraph',
  );
  return {
    ...http,
    logger,
    async stop() {
      unfollow?.();
      // Subscriptions first: their clients get `complete` while the payload fetches can still run.
      await subscriptions.stop(Math.floor(config.SHUTDOWN_TIMEOUT_MS * 0.2));
      await http.stop();
      await pools.close();
    },
  };
}
