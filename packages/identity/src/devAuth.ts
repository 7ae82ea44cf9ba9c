import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importJWK, SignJWT, type JWK, type JSONWebKeySet } from 'jose';
import { checkUserId, displayName, knownRoles, type Role } from './user.js';

/** The issuer and audience of development tokens; production refuses to trust this issuer. */
export const DEV_ISSUER = 'potluck-dev';
export const DEV_AUDIENCE = 'potluck';
/** Everything generated here is marked, so production mode can recognise and refuse it. */
export const DEV_MARK = 'potluck-dev-';
const ALGORITHM = 'ES256';

/** `<repository>/.potluck/dev-auth.json`, git-ignored: one per checkout, shared by everything started from it. */
export const DEFAULT_DEV_AUTH_FILE = fileURLToPath(new URL('../../../.potluck/dev-auth.json', import.meta.url));

/** The local signing key for development tokens and the gateway↔subgraph secret of a development stack. */
export interface DevAuth {
  file: string;
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
  internalSecret: string;
}

function generate(file: string): DevAuth {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = `${DEV_MARK}${randomBytes(6).toString('hex')}`;
  return {
    file,
    kid,
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: ALGORITHM, use: 'sig' },
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: ALGORITHM, use: 'sig' },
    internalSecret: `${DEV_MARK}${randomBytes(32).toString('base64url')}`,
  };
}

/**
 * The checkout's development keys, created on first use. Creation is atomic (written aside,
 * then hard-linked into place, which fails if another process won the race), so processes
 * that start together all end up with the same keys. The file is readable by its owner only.
 */
export function devAuth(file = DEFAULT_DEV_AUTH_FILE): DevAuth {
  try {
    return { ...(JSON.parse(readFileSync(file, 'utf8')) as DevAuth), file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const created = generate(file);
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(aside, JSON.stringify(created, null, 2), { mode: 0o600 });
  try {
    linkSync(aside, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(aside, { force: true });
  }
  return { ...(JSON.parse(readFileSync(file, 'utf8')) as DevAuth), file };
}

/** The public half as a JWKS document, what an identity provider would serve. */
export function devKeySet(dev: DevAuth): JSONWebKeySet {
  return { keys: [dev.publicJwk] };
}

export interface DevTokenRequest {
  user: string;
  name?: string;
  roles?: readonly Role[];
  /** Default 12 hours: long enough for a working day with the IDE. */
  lifetimeSeconds?: number;
  audience?: string;
  issuer?: string;
}

/** A user token signed with the development key, as an identity provider would issue it. */
export async function signDevToken(dev: DevAuth, request: DevTokenRequest): Promise<string> {
  const user = checkUserId(request.user);
  const key = await importJWK(dev.privateJwk, ALGORITHM);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ name: displayName(request.name, user), roles: knownRoles(request.roles ?? []) })
    .setProtectedHeader({ alg: ALGORITHM, kid: dev.kid, typ: 'JWT' })
    .setIssuer(request.issuer ?? DEV_ISSUER)
    .setAudience(request.audience ?? DEV_AUDIENCE)
    .setSubject(user)
    .setIssuedAt(now)
    .setExpirationTime(now + (request.lifetimeSeconds ?? 12 * 3600))
    .sign(key);
}

/** Demo users the IDE and `npm run seed` sign in as in development. */
export const DEMO_USERS = [
  { user: 'ana', name: 'Ana', roles: [] },
  { user: 'joe', name: 'Joe', roles: [] },
  { user: 'mo', name: 'Mo (moderator)', roles: ['moderator'] },
] as const satisfies readonly (DevTokenRequest & { name: string })[];
