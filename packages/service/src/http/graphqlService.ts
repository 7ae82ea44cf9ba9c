import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ApolloServer, type ApolloServerOptions, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware, type ExpressContextFunctionArgument } from '@as-integrations/express5';
import express, { type Express, type RequestHandler } from 'express';
import type { ValidationRule } from 'graphql';
import { admissionControl, type AdmissionControl } from './admission.js';
import { allowedHostsOnly } from './allowedHosts.js';
import { corsPolicy } from './corsPolicy.js';
import type { Logger } from '../logger.js';
import { createErrorFormatter } from '../graphql/errors.js';
import { graphqlHttpErrors } from './httpErrors.js';
import { createHttpServer, DEFAULT_HTTP_LIMITS, type HttpServerLimits } from './httpServer.js';
import { graphqlRequestMetrics } from '../metrics/requestMetrics.js';
import {
  startMetricsServer,
  writeMetrics,
  type MetricsServer,
  type ServiceMetrics,
} from '../metrics/serviceMetrics.js';
import { checkReadiness, type ReadinessChecks } from './readiness.js';
import { DEGRADED_LOCAL, requestFactsPlugin, requestLogger, requestScope } from './requestLog.js';

type SchemaOrGateway<Context extends BaseContext> = Pick<ApolloServerOptions<Context>, 'schema' | 'gateway'>;

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

export interface GraphQLServiceOptions<Context extends BaseContext> {
  name: string;
  host: string;
  port: number;
  logger: Logger;
  /** Either a subgraph schema or a gateway, as Apollo Server accepts them. */
  apollo: SchemaOrGateway<Context>;
  context: (args: ExpressContextFunctionArgument) => Promise<Context>;
  /** What `/health/ready` checks; a function when the list changes while running. */
  readinessChecks: ReadinessChecks;
  readinessTimeoutMs?: number;
  introspection: boolean;
  /** Development only: stack traces and the real message of internal errors in responses. */
  includeStacktrace: boolean;
  /** Larger JSON bodies are refused with 413 and PAYLOAD_TOO_LARGE. Default 1 MB. */
  bodyLimitBytes?: number;
  /** Documents with more tokens are refused while parsing (GRAPHQL_PARSE_FAILED). */
  maxTokens?: number;
  /** How long a stop waits for in-flight requests before closing their connections. Default 5 s. */
  drainTimeoutMs?: number;
  plugins?: ApolloServerPlugin<Context>[];
  validationRules?: ValidationRule[];
  /** Extra routes, mounted before `/graphql` (the gateway's IDE). */
  routes?: (app: Express) => void;
  /** Socket timeouts, the connection cap and the `/graphql` requests run at once. Default `DEFAULT_HTTP_LIMITS`. */
  httpLimits?: HttpServerLimits;
  /**
   * Host names (any port; `*` for any) that every route but the health routes answers for,
   * against DNS rebinding. Leave out for a service no browser reaches: then any Host is served.
   */
  allowedHosts?: readonly string[];
  /** Origins whose pages may call `/graphql` across origins; none when empty or left out. */
  corsOrigins?: readonly string[];
  /** Runs on every `/graphql` request before its body is read, e.g. a subgraph's gateway-only check. */
  guard?: RequestHandler;
  /** Request metrics and `GET /metrics` (on `metrics.port` when it has one); none when left out. */
  metrics?: ServiceMetrics;
  /** Handles the HTTP server's `upgrade` requests (the gateway's WebSockets); without it they are left unanswered. */
  upgrade?: (request: http.IncomingMessage, socket: Duplex, head: Buffer) => void;
}

export interface RunningService {
  url: string;
  port: number;
  /** Stops accepting connections, answers waiting requests 503, lets in-flight ones finish, then stops Apollo. */
  stop(): Promise<void>;
}

function createApollo<Context extends BaseContext>(
  options: GraphQLServiceOptions<Context>,
  httpServer: http.Server,
): ApolloServer<Context> {
  return new ApolloServer<Context>({
    ...options.apollo,
    introspection: options.introspection,
    includeStacktraceInErrorResponses: options.includeStacktrace,
    formatError: createErrorFormatter(options.logger, { exposeInternals: options.includeStacktrace }),
    csrfPrevention: true,
    // Automatic persisted queries would let any client store any query under a hash; no client here uses them.
    persistedQueries: false,
    // Signals are handled by onShutdownSignal, which stops Apollo and everything else in order.
    stopOnTerminationSignals: false,
    validationRules: options.validationRules ?? [],
    ...(options.maxTokens && { parseOptions: { maxTokens: options.maxTokens } }),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: options.drainTimeoutMs ?? 5000 }),
      ApolloServerPluginLandingPageDisabled(),
      requestFactsPlugin<Context>(),
      ...(options.plugins ?? []),
    ],
  } as ApolloServerOptions<Context>);
}

/**
 * Health routes and `/metrics` open to any Host (probes and scrapers use the pod's IP), then
 * the host check, CORS, extra routes and GraphQL: the guard, the body, then a turn to execute
 * (`admissionControl`). Every `/graphql` request is timed, also those the host check, the body
 * limit or the admission control refuses.
 */
function mountRoutes<Context extends BaseContext>(
  app: Express,
  apollo: ApolloServer<Context>,
  admission: AdmissionControl,
  options: GraphQLServiceOptions<Context>,
): void {
  app.use(requestLogger(options.logger));
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'live', service: options.name });
  });
  app.get('/health/ready', async (_req, res) => {
    const report = await checkReadiness(options.readinessChecks, options.readinessTimeoutMs ?? 2000);
    res.locals[DEGRADED_LOCAL] = report.status === 'degraded';
    res.status(report.status === 'not_ready' ? 503 : 200).json({ service: options.name, ...report });
  });
  const { metrics } = options;
  if (metrics) {
    if (metrics.port === undefined) app.get('/metrics', (_req, res) => writeMetrics(metrics, res, options.logger));
    app.use('/graphql', graphqlRequestMetrics(metrics.registry, metrics.knownOperations));
  }
  if (options.allowedHosts) app.use(allowedHostsOnly(options.allowedHosts));
  if (options.corsOrigins?.length) app.use('/graphql', corsPolicy(options.corsOrigins));
  options.routes?.(app);
  if (options.guard) app.use('/graphql', options.guard);
  app.use(
    '/graphql',
    express.json({ limit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES }),
    requestScope,
    admission.admit(expressMiddleware(apollo, { context: options.context })),
  );
  app.use(graphqlHttpErrors(options.logger));
}

/**
 * The HTTP shell every Potluck process shares: Apollo Server on express 5 at
 * `POST /graphql`, `GET /health/live` and `GET /health/ready`, with a request id and one
 * log line per request, body-size and CSRF protection, socket timeouts, a connection cap
 * and a bound on the requests run at once, an optional host check and CORS policy, and a graceful stop. With `metrics`, every
 * `/graphql` request is timed and `GET /metrics` served, here or on a port of its own.
 */
export async function startGraphQLService<Context extends BaseContext>(
  options: GraphQLServiceOptions<Context>,
): Promise<RunningService> {
  const app = express();
  app.disable('x-powered-by');
  // GraphQL answers are POSTs nobody revalidates: no hash of every answer for an ETag.
  app.disable('etag');
  const httpServer = createHttpServer(app, options.httpLimits ?? DEFAULT_HTTP_LIMITS);
  const apollo = createApollo(options, httpServer);
  if (options.upgrade) httpServer.on('upgrade', options.upgrade);
  await apollo.start();
  const { metrics, logger } = options;
  const admission = admissionControl((options.httpLimits ?? DEFAULT_HTTP_LIMITS).admission, metrics?.registry);
  mountRoutes(app, apollo, admission, options);
  const metricsServer: MetricsServer | undefined =
    metrics?.port === undefined ? undefined : await startMetricsServer(metrics, options.host, metrics.port, logger);

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.port, options.host, () => resolve());
    });
  } catch (error) {
    await metricsServer?.close();
    throw error;
  }
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${options.host}:${port}/graphql`;
  logger.info({ url }, `${options.name} listening`);
  return {
    url,
    port,
    async stop() {
      admission.close();
      await apollo.stop();
      await metricsServer?.close();
    },
  };
}
