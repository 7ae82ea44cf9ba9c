import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';
import { responseKeyOf, type ResponseCache } from './responseCache.js';

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
          const data = responses.lookUp(contextValue, responseKeyOf(queryHash, operationName, request.variables));
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
