import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLocalJWKSet, SignJWT, UnsecuredJWT, importJWK, type JWK } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  createUserTokenVerifier,
  DEFAULT_USER_TOKEN_ALGORITHMS,
  devAuth,
  devKeySet,
  KeySetUnavailable,
  signDevToken,
  type UserTokenSettings,
} from '../src/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'potluck-identity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const dev = devAuth(path.join(dir, 'dev-auth.json'));
const settings: UserTokenSettings = {
  jwksUrl: `file://${dev.file}`,
  issuer: 'potluck-dev',
  audience: 'potluck',
  algorithms: DEFAULT_USER_TOKEN_ALGORITHMS,
  clockToleranceSeconds: 30,
  rolesClaim: 'roles',
};
const verify = createUserTokenVerifier(settings, createLocalJWKSet(devKeySet(dev)));
const now = () => Math.floor(Date.now() / 1000);

async function signed(claims: Record<string, unknown>, edit: (jwt: SignJWT) => SignJWT = (jwt) => jwt, key = dev) {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: key.kid })
    .setIssuer('potluck-dev')
    .setAudience('potluck')
    .setSubject('ana')
    .setIssuedAt()
    .setExpirationTime(now() + 600);
  return edit(jwt).sign(await importJWK(key.privateJwk, 'ES256'));
}

async function refusal(authorization: string): Promise<Error> {
  const error = await verify(authorization).then(
    () => undefined,
    (caught: unknown) => caught as Error,
  );
  if (!error) throw new Error('the token was accepted');
  return error;
}

describe('createUserTokenVerifier', () => {
  it('treats a request without Authorization as anonymous', async () => {
    expect(await verify(undefined)).toBeNull();
  });

  it('accepts a development token and reads id, name and known roles', async () => {
    const token = await signDevToken(dev, { user: 'mo', name: 'Mo', roles: ['moderator'] });
    expect(await verify(`Bearer ${token}`)).toEqual({ id: 'mo', name: 'Mo', roles: ['moderator'] });
  });

  it('ignores roles it does not know and names a user without a name by their id', async () => {
    const token = await signed({ roles: ['admin', 'moderator', 'root'] });
    expect(await verify(`Bearer ${token}`)).toEqual({ id: 'ana', name: 'ana', roles: ['moderator'] });
  });

  it('drops bidi overrides and zero-width characters from names', async () => {
    const token = await signed({ name: 'M\u200Do\u202E (moderator)' });
    expect((await verify(`Bearer ${token}`))?.name).toBe('Mo (moderator)');
  });

  it('cleans a hostile name instead of passing it on', async () => {
    const token = await signed({ name: `Ana\u0000\n${'x'.repeat(500)}` });
    const user = await verify(`Bearer ${token}`);
    expect(user?.name).toHaveLength(100);
    expect(user?.name).not.toContain('\u0000');
    expect(user?.name).not.toContain('\n');
  });

  it.each([
    ['an expired token', (jwt: SignJWT) => jwt.setExpirationTime(now() - 120), 'expired'],
    ['a token not valid yet', (jwt: SignJWT) => jwt.setNotBefore(now() + 600), '"nbf"'],
    ['another issuer', (jwt: SignJWT) => jwt.setIssuer('https://evil.example'), '"iss"'],
    ['another audience', (jwt: SignJWT) => jwt.setAudience('someone-else'), '"aud"'],
  ])('refuses %s with UNAUTHENTICATED', async (_case, edit, mentions) => {
    const error = await refusal(`Bearer ${await signed({}, edit)}`);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toContain(mentions);
  });

  it('accepts a token that expired within the clock tolerance', async () => {
    const token = await signed({}, (jwt) => jwt.setExpirationTime(now() - 10));
    expect(await verify(`Bearer ${token}`)).toMatchObject({ id: 'ana' });
  });

  it('refuses a token without exp', async () => {
    const key = await importJWK(dev.privateJwk, 'ES256');
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: dev.kid })
      .setIssuer('potluck-dev')
      .setAudience('potluck')
      .setSubject('ana')
      .sign(key);
    expect((await refusal(`Bearer ${token}`)).message).toContain('"exp"');
  });

  it('refuses a tampered payload (the signature no longer matches)', async () => {
    const [header, , signature] = (await signed({})).split('.');
    const payload = Buffer.from(
      JSON.stringify({ sub: 'mo', roles: ['moderator'], iss: 'potluck-dev', aud: 'potluck', exp: now() + 600 }),
    ).toString('base64url');
    const error = await refusal(`Bearer ${header}.${payload}.${signature}`);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toContain('signature');
  });

  it('refuses alg "none"', async () => {
    const token = new UnsecuredJWT({ roles: ['moderator'] })
      .setIssuer('potluck-dev')
      .setAudience('potluck')
      .setSubject('mo')
      .setExpirationTime(now() + 600)
      .encode();
    const error = await refusal(`Bearer ${token}`);
    expect(error).toBeInstanceOf(AuthenticationError);
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(dev.publicJwk));
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid: dev.kid })
      .setIssuer('potluck-dev')
      .setAudience('potluck')
      .setSubject('mo')
      .setExpirationTime(now() + 600)
      .sign(secret);
    expect((await refusal(`Bearer ${token}`)).message).toContain('algorithm');
  });

  it('refuses a token signed by a key outside the key set, even with a known kid', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const foreign = { ...dev, privateJwk: privateKey.export({ format: 'jwk' }) as JWK };
    const error = await refusal(`Bearer ${await signed({}, (jwt) => jwt, foreign)}`);
    expect(error).toBeInstanceOf(AuthenticationError);
  });

  it.each([
    ['Basic dXNlcjpwYXNz', 'Bearer <token>'],
    ['Bearer', 'Bearer <token>'],
    ['Bearer not-a-jwt', 'malformed'],
    [`Bearer ${'a'.repeat(9000)}`, 'longer than'],
  ])('refuses the header %j', async (header, mentions) => {
    const error = await refusal(header.slice(0, 9000));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toContain(mentions);
  });

  it('refuses a subject with control characters, over 255 characters, or the archive owner', async () => {
    for (const sub of ['ana\nmo', 'x'.repeat(256), 'potluck-archive']) {
      const error = await refusal(`Bearer ${await signed({}, (jwt) => jwt.setSubject(sub))}`);
      expect(error.message).toContain('sub');
    }
  });

  it("reports a key set that answers 500 as AUTH_UNAVAILABLE, not as the client's fault", async () => {
    const server = http.createServer((_req, res) => res.writeHead(500).end('down'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const remote = createUserTokenVerifier({ ...settings, jwksUrl: `http://127.0.0.1:${port}/jwks.json` });
      const error = await remote(`Bearer ${await signed({})}`).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(KeySetUnavailable);
    } finally {
      server.close();
    }
  });

  it("reports an unreachable key set as AUTH_UNAVAILABLE, not as the client's fault", async () => {
    const remote = createUserTokenVerifier({ ...settings, jwksUrl: 'http://127.0.0.1:9/jwks.json' });
    const error = await remote(`Bearer ${await signed({})}`).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(KeySetUnavailable);
  });
});
