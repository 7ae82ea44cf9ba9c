import { createHash } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { AuthenticationError } from './errors.js';
import { checkUserId, displayName, identityKeyOf, knownRoles, type Viewer } from './user.js';

/** The header a subgraph reads the caller's identity from; set only by the gateway. */
export const GATEWAY_CREDENTIAL_HEADER = 'x-potluck-gateway-credential';
const ISSUER = 'potluck-gateway';
const ALGORITHM = 'HS256';
/** A credential lives a minute; the gateway reuses one for half of that, so identical calls stay identical. */
const LIFETIME_SECONDS = 60;
/** A shared secret shorter than this is refused (HS256 wants at least 256 bits). */
export const MIN_SECRET_LENGTH = 32;

function keyOf(secret: string): Uint8Array {
  if (secret.length < MIN_SECRET_LENGTH)
    throw new Error(`the internal auth secret must be at least ${MIN_SECRET_LENGTH} characters`);
  return new TextEncoder().encode(secret);
}

/** Stable cache key of an identity; a hash, so no user's id is kept as a map key in the clear. */
function viewerKey(audience: string, viewer: Viewer): string {
  return createHash('sha256')
    .update(`${audience}\n${identityKeyOf(viewer)}`)
    .digest('base64url');
}

export interface GatewayCredentialSigner {
  /** A credential for one subgraph (the audience), carrying the viewer or saying "anonymous". */
  credentialFor(audience: string, viewer: Viewer): Promise<string>;
}

/**
 * The gateway's side: signs a short-lived HS256 JWT per subgraph and identity. Credentials
 * are reused for half their life, which keeps concurrent identical subgraph calls identical
 * (the in-flight dedupe shares them) and signing off the hot path; the cache is bounded.
 */
export function createGatewayCredentialSigner(
  secret: string,
  { clock = () => Date.now(), maxCached = 10_000 } = {},
): GatewayCredentialSigner {
  const key = keyOf(secret);
  const cache = new Map<string, { token: string; renewAt: number }>();
  return {
    async credentialFor(audience, viewer) {
      const cacheKey = viewerKey(audience, viewer);
      const now = clock();
      const cached = cache.get(cacheKey);
      if (cached && cached.renewAt > now) return cached.token;
      const issuedAt = Math.floor(now / 1000);
      const claims = viewer ? { name: viewer.name, roles: [...viewer.roles] } : { anonymous: true };
      const jwt = new SignJWT(claims)
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(audience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + LIFETIME_SECONDS);
      const token = await (viewer ? jwt.setSubject(viewer.id) : jwt).sign(key);
      if (cache.size >= maxCached) cache.clear();
      cache.set(cacheKey, { token, renewAt: now + (LIFETIME_SECONDS * 1000) / 2 });
      return token;
    },
  };
}

export type GatewayCredentialVerifier = (credential: string | undefined) => Promise<Viewer>;

/**
 * A subgraph's side: a request without a valid credential for this subgraph from the
 * gateway (right secret, issuer and audience, unexpired, at most a minute old) is refused,
 * whatever user token it carries. A valid one says who the viewer is, or that nobody signed in.
 *
 * The gateway sends the same credential for half a minute, so a verified one is remembered
 * (exactly that string, bounded in number) until its `exp`: its signature is checked once,
 * not on every request. Nothing refused is remembered.
 */
export function createGatewayCredentialVerifier(
  secret: string,
  audience: string,
  { clock = () => Date.now(), maxCached = 10_000 } = {},
): GatewayCredentialVerifier {
  const key = keyOf(secret);
  const verified = new Map<string, { viewer: Viewer; expiresAt: number }>();
  return async (credential) => {
    if (!credential) throw new AuthenticationError(`The ${audience} subgraph serves only the gateway`);
    const now = clock();
    const known = verified.get(credential);
    if (known && now < known.expiresAt) return known.viewer;
    const { viewer, expiresAt } = await verify(credential, key, audience, now);
    if (expiresAt <= now) return viewer; // accepted within jose's clock tolerance: not worth keeping
    if (verified.size >= maxCached) dropExpired(verified, now);
    if (verified.size >= maxCached) verified.clear();
    verified.set(credential, { viewer, expiresAt });
    return viewer;
  };
}

async function verify(credential: string, key: Uint8Array, audience: string, now: number) {
  try {
    const { payload } = await jwtVerify(credential, key, {
      issuer: ISSUER,
      audience,
      algorithms: [ALGORITHM],
      maxTokenAge: LIFETIME_SECONDS + 30,
      clockTolerance: 5,
      requiredClaims: ['exp', 'iat'],
      currentDate: new Date(now),
    });
    // jose accepts a credential until `exp` (plus the tolerance) and `iat` + maxTokenAge; the
    // earlier of the two without the tolerance is when a remembered one stops being accepted.
    const expiresAt = Math.min(payload.exp!, payload.iat! + LIFETIME_SECONDS + 30) * 1000;
    return { viewer: viewerOf(payload), expiresAt };
  } catch (error) {
    if (error instanceof AuthenticationError) throw error;
    const reason = error instanceof errors.JWTExpired ? 'has expired' : 'is not valid';
    throw new AuthenticationError(`The gateway credential ${reason}; the ${audience} subgraph serves only the gateway`);
  }
}

/** Frozen: one remembered viewer answers many requests, and none of them may change it for the others. */
function viewerOf(payload: JWTPayload): Viewer {
  if (payload.sub === undefined) {
    if (payload.anonymous !== true) throw new AuthenticationError('The gateway credential names no one');
    return null;
  }
  const id = checkUserId(payload.sub);
  return Object.freeze({ id, name: displayName(payload.name, id), roles: Object.freeze(knownRoles(payload.roles)) });
}

/** Makes room without forgetting the live ones: runs only when the map is full. */
function dropExpired(verified: Map<string, { expiresAt: number }>, now: number): void {
  for (const [credential, { expiresAt }] of verified) {
    if (expiresAt <= now) verified.delete(credential);
  }
}
