import { AuthenticationError, GATEWAY_CREDENTIAL_HEADER, type GatewayCredentialVerifier } from '@potluck/identity';
import type { RequestHandler } from 'express';

/**
 * A subgraph's door: `/graphql` answers only requests that carry a valid gateway credential
 * (see `createGatewayCredentialVerifier`), and the viewer it names is put on `res.locals.viewer`.
 * Anything else, including a valid user token sent straight to the subgraph, gets 401.
 */
export function gatewayOnly(verify: GatewayCredentialVerifier): RequestHandler {
  return (req, res, next) => {
    verify(req.get(GATEWAY_CREDENTIAL_HEADER)).then(
      (viewer) => {
        res.locals.viewer = viewer;
        next();
      },
      (error: unknown) => {
        const message = error instanceof AuthenticationError ? error.message : 'The gateway credential is not valid';
        res.status(401).json({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
      },
    );
  };
}
