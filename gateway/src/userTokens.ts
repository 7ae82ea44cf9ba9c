import { AuthenticationError, type UserTokenVerifier } from '@potluck/identity';
import type { RequestHandler } from 'express';
import { GraphQLError } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from './context.js';

/**
 * Verifies the client's `Authorization` header before the request is read: the viewer goes on
 * `res.locals.viewer` (null without a header). A bad token is refused with 401 and
 * UNAUTHENTICATED, never served as anonymous; an unreachable key set is 503 AUTH_UNAVAILABLE.
 */
export function userTokens(verify: UserTokenVerifier): RequestHandler {
  return (req, res, next) => {
    verify(req.get('authorization')).then(
      (viewer) => {
        res.locals.viewer = viewer;
        next();
      },
      (error: unknown) => {
        const unauthenticated = error instanceof AuthenticationError;
        const code = unauthenticated ? error.code : 'AUTH_UNAVAILABLE';
        const message = error instanceof Error ? error.message : 'The token could not be checked';
        if (unauthenticated) res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
        res.status(unauthenticated ? 401 : 503).json({ errors: [{ message, extensions: { code } }] });
      },
    );
  };
}

/**
 * Every mutation needs a signed-in user. The subgraphs enforce it (and their ownership rules)
 * themselves; refusing here too means an anonymous write never costs a query plan or a fetch.
 */
export function mutationsNeedSignInPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation?.operation !== 'mutation' || contextValue.viewer) return;
          throw new GraphQLError('Sign in to change anything: send "Authorization: Bearer <token>"', {
            extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
          });
        },
      };
    },
  };
}
