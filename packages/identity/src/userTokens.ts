import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet } from 'jose';
import { AuthenticationError, KeySetUnavailable } from './errors.js';
import { checkUserId, displayName, InvalidIdentity, knownRoles, type User } from './user.js';

/** Asymmetric algorithms only: a client token is checked with a public key, never a shared secret, never `none`. */
export const ALLOWED_USER_TOKEN_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;
export const DEFAULT_USER_TOKEN_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'];

/** Longer bearer values are refused before any parsing. */
export const MAX_TOKEN_LENGTH = 8192;

export interface UserTokenSettings {
  /** Where the public keys are: a JWKS URL (`https://…/jwks.json`), or `file:` for a local key set. */
  jwksUrl: string;
  issuer: string;
  audience: string;
  algorithms: readonly string[];
  clockToleranceSeconds: number;
  /** The claim that lists roles, e.g. `roles` or `groups`; a list or a space-separated string. */
  rolesClaim: string;
}

/** Public keys to check token signatures with (jose's local or remote JWKS). */
export type KeySet = (
  ...args: Parameters<ReturnType<typeof createLocalJWKSet>>
) => ReturnType<ReturnType<typeof createLocalJWKSet>>;

/** A key set held in memory, e.g. the development key's public half. */
export function localKeySet(jwks: JSONWebKeySet): KeySet {
  return createLocalJWKSet(jwks);
}

/** The key set a JWKS URL names: fetched and cached (with a cooldown) for http(s), read once for `file:`. */
export function keySetAt(jwksUrl: string): KeySet {
  const url = new URL(jwksUrl);
  if (url.protocol === 'file:') {
    return createLocalJWKSet(JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as JSONWebKeySet);
  }
  const remote = createRemoteJWKSet(url, { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
  return async (...args) => {
    try {
      return await remote(...args);
    } catch (error) {
      // The token names no key of a set we have: the client's problem. Anything else (a timeout,
      // a refused connection, a non-200 answer, a set that is not JSON) is the provider's.
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      throw new KeySetUnavailable("The identity provider's key set could not be loaded", { cause: error });
    }
  };
}

function bearerTokenIn(authorization: string): string {
  const match = /^Bearer +([A-Za-z0-9\-_.]+)$/i.exec(authorization.trim());
  if (!match) throw new AuthenticationError('The Authorization header must be "Bearer <token>"');
  return match[1]!;
}

/** What a verification failure tells the client: enough to fix their side, nothing about ours. */
function refusalFor(error: unknown): Error {
  if (error instanceof errors.JWTExpired) return new AuthenticationError('The token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new AuthenticationError(`The token's "${error.claim}" claim is not accepted (${error.reason})`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return new AuthenticationError("The token's algorithm is not accepted");
  if (error instanceof errors.JWKSNoMatchingKey)
    return new AuthenticationError('The token was signed by an unknown key');
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return new AuthenticationError("The token's signature is invalid");
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return new KeySetUnavailable("The identity provider's key set could not be loaded");
  }
  if (error instanceof errors.JOSEError) return new AuthenticationError('The token is malformed');
  if (error instanceof InvalidIdentity) return new AuthenticationError(`The token is not accepted: ${error.message}`);
  // A fetch that failed (DNS, refused connection) while loading a remote key set.
  return new KeySetUnavailable("The identity provider's key set could not be loaded");
}

export type UserTokenVerifier = (authorization: string | undefined) => Promise<User | null>;

/**
 * Checks a client's `Authorization` header: none means anonymous; anything else must be a
 * valid bearer JWT — signature by a key in the set, an allowed algorithm, issuer, audience,
 * `exp` (required) and `nbf` within the clock tolerance — or it is refused. A bad token is
 * never served as anonymous.
 */
export function createUserTokenVerifier(
  settings: UserTokenSettings,
  keys = keySetAt(settings.jwksUrl),
): UserTokenVerifier {
  return async (authorization) => {
    if (authorization === undefined || authorization === '') return null;
    if (authorization.length > MAX_TOKEN_LENGTH) {
      throw new AuthenticationError(`The Authorization header is longer than ${MAX_TOKEN_LENGTH} characters`);
    }
    const token = bearerTokenIn(authorization);
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: [...settings.algorithms],
        clockTolerance: settings.clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
      });
      const id = checkUserId(payload.sub);
      return {
        id,
        name: displayName(payload.name ?? payload.preferred_username, id),
        roles: knownRoles(payload[settings.rolesClaim]),
      };
    } catch (error) {
      throw refusalFor(error);
    }
  };
}
