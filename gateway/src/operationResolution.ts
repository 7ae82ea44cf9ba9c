import type { ApolloServerPlugin } from '@apollo/server';
import { quoted } from '@potluck/service';
import { GraphQLError } from 'graphql';

/**
 * Refuses a request whose `operationName` names no operation in the document (or that leaves
 * out the name with several operations) as a 400 client error. Apollo Server does this itself
 * for a schema it executes, but with a gateway executor the same mistake surfaces as a 500.
 */
export function operationResolutionPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (operation) return;
          const message = request.operationName
            ? `Unknown operation named ${quoted(request.operationName)}.`
            : 'Must provide operation name if query contains multiple operations.';
          throw new GraphQLError(message, {
            extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } },
          });
        },
      };
    },
  };
}
