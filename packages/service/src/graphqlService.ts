import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerOptions, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware, type ExpressContextFunctionArgument } from '@as-integrations/express5';
import express from 'express';
import type { Logger } from './logger.js';
import { createErrorFormatter } from './errors.js';
import { checkReadiness, type ReadinessCheck } from './readiness.js';

type SchemaOrGateway<Context extends BaseContext> = Pick<ApolloServerOptions<Context>, 'schema' | 'gateway'>;

export interface GraphQLServiceOptions<Context extends BaseContext> {
  name: string;
  host: string;
  port: number;
  logger: Logger;
  /** Either a subgraph schema or a gateway, as Apollo Server accepts them. */
  apollo: SchemaOrGateway<Context>;
  context: (args: ExpressContextFunctionArgument) => Promise<Context>;
  readinessChecks: ReadinessCheck[];
  readinessTimeoutMs?: number;
  introspection: boolean;
  includeStacktrace: boolean;
  bodyLimit?: string;
  plugins?: ApolloServerPlugin<Context>[];
}

export interface RunningService {
  url: string;
  port: number;
  /** Stops accepting connections, lets in-flight requests finish, then stops Apollo. */
  stop(): Promise<void>;
}

/**
 * The HTTP shell every Potluck process shares: Apollo Server on express 5 at
 * `POST /graphql`, `GET /health/live` and `GET /health/ready`.
 */
export async function startGraphQLService<Context extends BaseContext>(
  options: GraphQLServiceOptions<Context>,
): Promise<RunningService> {
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer<Context>({
    ...options.apollo,
    introspection: options.introspection,
    includeStacktraceInErrorResponses: options.includeStacktrace,
    formatError: createErrorFormatter(options.logger),
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ...(options.plugins ?? [])],
  } as ApolloServerOptions<Context>);
  await apollo.start();

  app.get('/health/live', (_req, res) => {
    res.json({ status: 'live', service: options.name });
  });
  app.get('/health/ready', async (_req, res) => {
    const report = await checkReadiness(options.readinessChecks, options.readinessTimeoutMs ?? 2000);
    res.status(report.status === 'ready' ? 200 : 503).json({ service: options.name, ...report });
  });
  app.use(
    '/graphql',
    express.json({ limit: options.bodyLimit ?? '1mb' }),
    expressMiddleware(apollo, { context: options.context }),
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${options.host}:${port}/graphql`;
  options.logger.info({ url }, `${options.name} listening`);
  return { url, port, stop: () => apollo.stop() };
}
