import { readFile } from 'node:fs/promises';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import {
  createLogger,
  startGraphQLService,
  type Logger,
  type ReadinessCheck,
  type RunningService,
} from '@potluck/service';
import { urlOverrides, type GatewayConfig } from './config.js';
import { createGatewayContext, type GatewayContext } from './context.js';
import { readinessUrlOf, subgraphsOf, type SubgraphEndpoint } from './supergraph.js';

export interface RunningGateway extends RunningService {
  logger: Logger;
}

/** Forwards the request id and the caller's credentials to every subgraph. */
class PropagatingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({
    request,
    context,
  }: Parameters<RemoteGraphQLDataSource<GatewayContext>['willSendRequest'] & object>[0]) {
    if (!context.requestId) return;
    request.http?.headers.set('x-request-id', context.requestId);
    if (context.authorization) request.http?.headers.set('authorization', context.authorization);
  }
}

function subgraphReadiness(subgraph: SubgraphEndpoint): ReadinessCheck {
  return {
    name: subgraph.name,
    async check() {
      const response = await fetch(readinessUrlOf(subgraph.url), { signal: AbortSignal.timeout(2000) });
      if (!response.ok) throw new Error(`${subgraph.name} answered ${response.status} on /health/ready`);
    },
  };
}

/** Composition root of the gateway: a static supergraph file, served over HTTP with health routes. */
export async function startGateway(
  config: GatewayConfig,
  logger = createLogger('gateway', config.LOG_LEVEL),
): Promise<RunningGateway> {
  const supergraphSdl = await readFile(config.SUPERGRAPH_PATH, 'utf8');
  const overrides = urlOverrides(config);
  const subgraphs = subgraphsOf(supergraphSdl, overrides);
  const gateway = new ApolloGateway({
    supergraphSdl,
    logger,
    buildService: ({ name, url }) => new PropagatingDataSource({ url: overrides[name] ?? url }),
  });
  const supergraphLoaded: ReadinessCheck = {
    name: 'supergraph',
    check: async () => {
      if (!gateway.schema) throw new Error('no supergraph loaded');
    },
  };
  const http = await startGraphQLService<GatewayContext>({
    name: 'gateway',
    host: config.HOST,
    port: config.PORT,
    logger,
    apollo: { gateway },
    context: createGatewayContext,
    readinessChecks: [supergraphLoaded, ...subgraphs.map(subgraphReadiness)],
    introspection: config.INTROSPECTION,
    includeStacktrace: config.STACKTRACES,
  });
  logger.info({ supergraph: config.SUPERGRAPH_PATH, subgraphs }, 'gateway serving the supergraph');
  return { ...http, logger };
}
