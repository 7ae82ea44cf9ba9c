import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { OperationDefinitionNode } from 'graphql';
import type { GatewayContext } from '../context.js';
import { responseKeyOf, type ResponseCache } from './responseCache.js';

/**
 * The variables the operation declares, in the order it declares them: nothing else changes its
 * answer, so a client cannot make a miss (and push a kept response out) with a variable it
 * does not use, nor by reordering them.
 */
export function declaredVariables(
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): Array<[string, unknown]> {
  // A variable left out and one given as null differ: the first takes the argument's default.
  return (operation.variableDefinitions ?? []).flatMap(({ variable: { name } }) =>
    variables && Object.hasOwn(variables, name.value) ? [[name.value, variables[name.value]] as [string, unknown]] : [],
  );
}

/**
 * Answers a client query from the response cache before it is planned, and offers every query
 * response to it as it goes out. Runs after the operation is resolved, so the limits, the
 * variable checks and the token check (before the request is read) still apply to every hit.
 */
export function responseCachePlugin(responses: ResponseCache): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async responseForOperation({ operation, operationName, queryHash, request, contextValue }) {
          if (operation.operation !== 'query' || !queryHash) return null;
          const variables = declaredVariables(operation, request.variables);
          const data = responses.lookUp(contextValue, responseKeyOf(queryHash, operationName, variables));
          if (!data) return null;
          return {
            http: { status: undefined, headers: new HeaderMap() },
            body: { kind: 'single', singleResult: { data } },
          };
        },
        async willSendResponse({ response, contextValue }) {
          responses.keep(contextValue, response.body.kind === 'single' ? response.body.singleResult : undefined);
        },
      };
    },
  };
}
