import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createGatewayCredentialSigner,
  devAuth,
  devKeySet,
  GATEWAY_CREDENTIAL_HEADER,
  signDevToken,
  type DevTokenRequest,
  type User,
  type Viewer,
} from '@potluck/identity';

/** Who tests act as unless they say otherwise: a signed-in user with no role. */
export const TEST_USER: User = { id: 'test-user', name: 'Test User', roles: [] };

export const testUsers = {
  ana: { id: 'ana', name: 'Ana', roles: [] },
  joe: { id: 'joe', name: 'Joe', roles: [] },
  moderator: { id: 'mo', name: 'Mo', roles: ['moderator'] },
} as const satisfies Record<string, User>;

/**
 * The headers that sign a request in as a viewer, by URL: a gateway credential for a subgraph
 * under test (see `startSubgraphForTest`), a bearer token for a gateway under test.
 */
const signers = new Map<string, (viewer: Viewer) => Promise<Record<string, string>>>();

/** A fresh gateway↔subgraph secret for one test run. */
export function testInternalSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** From now on, requests to `url` carry a gateway credential for `audience` unless they set one. */
export function actAsGatewayFor(url: string, secret: string, audience: string): () => void {
  const signer = createGatewayCredentialSigner(secret);
  signers.set(url, async (viewer) => ({ [GATEWAY_CREDENTIAL_HEADER]: await signer.credentialFor(audience, viewer) }));
  return () => void signers.delete(url);
}

/** From now on, requests to the gateway at `url` carry a bearer token for the viewer unless they set one. */
export function signInAt(url: string, identities: TestIdentityProvider): () => void {
  signers.set(url, async (viewer) => (viewer ? identities.bearer(viewer) : {}));
  return () => void signers.delete(url);
}

/**
 * The headers a request to `url` gets: for a subgraph or gateway under test, what signs in
 * `viewer` (unless the caller set that header itself, even to ''), nothing otherwise.
 */
export async function credentialHeaders(url: string, viewer: Viewer, headers: Record<string, string>) {
  const sign = signers.get(url);
  if (!sign) return headers;
  const given = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  const signing = Object.entries(await sign(viewer)).filter(([name]) => !given.has(name.toLowerCase()));
  return { ...headers, ...Object.fromEntries(signing) };
}

export interface TestIdentityProvider {
  /** `AUTH_DEV_FILE` for every service of a stack under test: its own keys, not the checkout's. */
  devFile: string;
  /** The gateway↔subgraph secret services started with `devFile` share. */
  internalSecret: string;
  /** A user token as the identity provider of the stack would issue it. */
  token(user?: User, request?: Partial<DevTokenRequest>): Promise<string>;
  /**
   * What a production gateway needs to trust this provider as a real one: its key set as a
   * `file:` JWKS, a non-development issuer and audience (tokens from `token` are signed for
   * them when given as `issuer`/`audience`), and an internal secret of its own.
   */
  productionEnv(): Record<string, string>;
  /** `{ authorization: 'Bearer …' }` for a user. */
  bearer(user?: User): Promise<Record<string, string>>;
  remove(): void;
}

const PRODUCTION_ISSUER = 'https://id.potluck.test/';
const PRODUCTION_AUDIENCE = 'potluck-test';

/** A development identity provider of a test's own, in a temporary directory. */
export function testIdentityProvider(): TestIdentityProvider {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'potluck-auth-'));
  const devFile = path.join(dir, 'dev-auth.json');
  const dev = devAuth(devFile);
  const token = (user: User = TEST_USER, request: Partial<DevTokenRequest> = {}) =>
    signDevToken(dev, { user: user.id, name: user.name, roles: user.roles, lifetimeSeconds: 3600, ...request });
  const jwksFile = path.join(dir, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify(devKeySet(dev)));
  return {
    devFile,
    internalSecret: dev.internalSecret,
    token,
    productionEnv: () => ({
      POTLUCK_MODE: 'production',
      AUTH_JWKS_URL: pathToFileURL(jwksFile).href,
      AUTH_ISSUER: PRODUCTION_ISSUER,
      AUTH_AUDIENCE: PRODUCTION_AUDIENCE,
      INTERNAL_AUTH_SECRET: testInternalSecret(),
    }),
    async bearer(user) {
      return { authorization: `Bearer ${await token(user)}` };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
