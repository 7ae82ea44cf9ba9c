import { createHash } from 'node:crypto';
import type { ApolloGateway } from '@apollo/gateway';
import type { GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { Logger } from '@potluck/service';
import { getOperationAST, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../context.js';

/** One operation through the gateway's own query planner and subgraph calls, as the viewer in `context`. */
export type FederatedExecute = (
  query: { document: DocumentNode; source: string; variables: Record<string, unknown> },
  context: GatewayContext,
) => Promise<ExecutionResult>;

export interface FederatedGateway {
  /** What Apollo Server is given instead of the gateway: the same gateway, whose executor it also hands us. */
  apolloGateway: Pick<ApolloGateway, 'load' | 'onSchemaLoadOrUpdate' | 'stop'>;
  /** The client-facing schema in force (it follows supergraph reloads); undefined before the first load. */
  apiSchema(): GraphQLSchema | undefined;
  execute: FederatedExecute;
}

/**
 * Apollo Gateway plans and runs queries but refuses subscriptions. The payload of a
 * subscription event is resolved as an ordinary query through the same executor Apollo Server
 * uses, so it follows the same query plans, deadlines, credentials and in-flight sharing.
 */
export function federatedGateway(gateway: ApolloGateway, logger: Logger): FederatedGateway {
  let executor: GatewayExecutor | undefined;
  let schema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate(({ apiSchema }) => {
    schema = apiSchema;
  });
  const execute: FederatedExecute = async (query, context) => {
    if (!executor || !schema) throw new Error('the gateway has not loaded its supergraph yet');
    const operation = getOperationAST(query.document);
    if (!operation) throw new Error('a payload query must hold one operation');
    const requestContext = {
      request: { query: query.source, variables: query.variables },
      logger,
      schema,
      schemaHash: '',
      context,
      cache: undefined,
      queryHash: createHash('sha256').update(query.source).digest('hex'),
      document: query.document,
      source: query.source,
      operationName: operation.name?.value ?? null,
      operation,
      metrics: {},
      overallCachePolicy: undefined,
    } as unknown as GatewayGraphQLRequestContext<GatewayContext>;
    return (await executor(requestContext)) as ExecutionResult;
  };
  return {
    apolloGateway: {
      async load(options) {
        const loaded = await gateway.load(options);
        executor = loaded.executor;
        return loaded;
      },
      onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
      stop: () => gateway.stop(),
    },
    apiSchema: () => schema,
    execute,
  };
}
