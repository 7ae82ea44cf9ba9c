import { createGatewayCredentialSigner, GATEWAY_CREDENTIAL_HEADER } from '@potluck/identity';

export { GATEWAY_CREDENTIAL_HEADER };

/** The value of `GATEWAY_CREDENTIAL_HEADER` for one call to a subgraph, by its name (the credential's audience). */
export type AnonymousCredential = (subgraph: string) => Promise<string>;

/**
 * Signs subgraph calls as Potluck's gateway does for a request nobody signed in to: a gateway
 * credential per subgraph from `createGatewayCredentialSigner`, reused for half its life. Every
 * gateway in the benchmark, and the floor, signs this way, so signing costs them all the same.
 */
export function anonymousCredential(secret: string): AnonymousCredential {
  const signer = createGatewayCredentialSigner(secret);
  return (subgraph) => signer.credentialFor(subgraph, null);
}
