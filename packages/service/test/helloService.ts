import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import { createLogger, startGraphQLService, type GraphQLServiceOptions, type RunningService } from '@potluck/service';

/** A one-field schema that counts how often its resolver ran; built by Apollo's own graphql, as a subgraph's is. */
export function helloSchema() {
  const counter = { calls: 0 };
  const schema = buildSubgraphSchema({
    typeDefs: parse('type Query { hello: String }'),
    resolvers: { Query: { hello: () => ((counter.calls += 1), 'world') } },
  });
  return { schema, counter };
}

/** The shared HTTP shell on a free port of 127.0.0.1 over `schema`, with `overrides` applied. */
export function startHelloService(
  schema: GraphQLSchema,
  overrides: Partial<GraphQLServiceOptions<object>> = {},
): Promise<RunningService> {
  return startGraphQLService<object>({
    name: 'hello',
    host: '127.0.0.1',
    port: 0,
    logger: createLogger('hello', 'silent'),
    apollo: { schema },
    context: async () => ({}),
    readinessChecks: [],
    introspection: false,
    includeStacktrace: false,
    ...overrides,
  });
}
