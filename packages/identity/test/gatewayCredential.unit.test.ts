import { SignJWT, type JWTPayload } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import {
  AuthenticationError,
  createGatewayCredentialSigner,
  createGatewayCredentialVerifier,
  type User,
} from '../src/index.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const ana: User = { id: 'ana', name: 'Ana', roles: [] };

async function refusal(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught as Error,
  );
  if (!error) throw new Error('the credential was accepted');
  return error;
}

/** A credential for recipes made by hand with the right secret, with claims the signer would never set. */
function handMade(claims: JWTPayload): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('potluck-gateway')
    .setAudience('recipes')
    .sign(new TextEncoder().encode(SECRET));
}

const secondsNow = () => Math.floor(Date.now() / 1000);

describe('gateway credentials', () => {
  const signer = createGatewayCredentialSigner(SECRET);
  const recipes = createGatewayCredentialVerifier(SECRET, 'recipes');

  it('carry the viewer from the gateway to the subgraph it was signed for', async () => {
    const moderator: User = { id: 'mo', name: 'Mo', roles: ['moderator'] };
    expect(await recipes(await signer.credentialFor('recipes', moderator))).toEqual(moderator);
    expect(await recipes(await signer.credentialFor('recipes', null))).toBeNull();
  });

  it('are refused by another subgraph (audience), with another secret, or when missing', async () => {
    const forComments = await signer.credentialFor('comments', ana);
    expect(await refusal(recipes(forComments))).toBeInstanceOf(AuthenticationError);
    const otherSecret = createGatewayCredentialSigner('another-secret-that-is-long-enough-987654');
    expect(await refusal(recipes(await otherSecret.credentialFor('recipes', ana)))).toBeInstanceOf(AuthenticationError);
    expect((await refusal(recipes(undefined))).message).toContain('serves only the gateway');
  });

  it('are refused once expired, or when issued too long ago', async () => {
    const past = secondsNow() - 600;
    const expired = await handMade({ sub: 'ana', name: 'Ana', iat: past, exp: past + 60 });
    expect((await refusal(recipes(expired))).message).toContain('expired');
    const longLived = await handMade({ sub: 'ana', name: 'Ana', iat: past, exp: past + 86_400 });
    expect(await refusal(recipes(longLived))).toBeInstanceOf(AuthenticationError);
  });

  it('that name no one and do not say anonymous are refused', async () => {
    const token = await handMade({ iat: secondsNow(), exp: secondsNow() + 60 });
    expect(await refusal(recipes(token))).toBeInstanceOf(AuthenticationError);
  });

  it('are reused for the same viewer and subgraph, so identical subgraph calls stay identical', async () => {
    const first = await signer.credentialFor('recipes', ana);
    expect(await signer.credentialFor('recipes', { ...ana })).toBe(first);
    expect(await signer.credentialFor('recipes', { ...ana, roles: ['moderator'] })).not.toBe(first);
    expect(await signer.credentialFor('comments', ana)).not.toBe(first);
    expect(await signer.credentialFor('recipes', null)).not.toBe(first);
  });

  it('refuse a secret shorter than 32 characters', () => {
    expect(() => createGatewayCredentialSigner('short')).toThrow(/at least 32/);
    expect(() => createGatewayCredentialVerifier('short', 'recipes')).toThrow(/at least 32/);
  });

  describe('once verified, are remembered until they expire', () => {
    const signatureChecks = () => vi.spyOn(crypto.subtle, 'verify');

    it('so a credential the gateway reuses has its signature checked once', async () => {
      const verifier = createGatewayCredentialVerifier(SECRET, 'recipes');
      const credential = await signer.credentialFor('recipes', ana);
      const checks = signatureChecks();
      try {
        for (let request = 0; request < 3; request++) expect(await verifier(credential)).toEqual(ana);
        expect(checks).toHaveBeenCalledTimes(1);
      } finally {
        checks.mockRestore();
      }
    });

    it('and refused after their expiry like any other', async () => {
      let now = Date.now();
      const verifier = createGatewayCredentialVerifier(SECRET, 'recipes', { clock: () => now });
      const credential = await createGatewayCredentialSigner(SECRET, { clock: () => now }).credentialFor(
        'recipes',
        ana,
      );
      expect(await verifier(credential)).toEqual(ana);
      now += 66_000; // past exp and the 5 s of clock tolerance
      expect((await refusal(verifier(credential))).message).toMatch(/gateway credential has expired/);
    });

    it('as a viewer no request can change for the next one', async () => {
      const verifier = createGatewayCredentialVerifier(SECRET, 'recipes');
      const credential = await signer.credentialFor('recipes', ana);
      const first = (await verifier(credential)) as unknown as { name: string; roles: string[] };
      expect(() => first.roles.push('moderator')).toThrow(TypeError);
      expect(() => Object.assign(first, { name: 'Mallory' })).toThrow(TypeError);
      expect(await verifier(credential)).toEqual(ana);
    });

    it('never for a credential that was refused, nor beyond their bound in number', async () => {
      const verifier = createGatewayCredentialVerifier(SECRET, 'recipes', { maxCached: 2 });
      const credential = await signer.credentialFor('recipes', ana);
      const forged = `${credential.slice(0, -2)}${credential.endsWith('AA') ? 'BB' : 'AA'}`;
      for (let attempt = 0; attempt < 2; attempt++)
        expect(await refusal(verifier(forged))).toBeInstanceOf(AuthenticationError);
      const others = await Promise.all(
        ['mo', 'joe', 'ana'].map((id) => signer.credentialFor('recipes', { ...ana, id })),
      );
      for (const other of others) expect((await verifier(other))?.id).toBeTypeOf('string');
      expect(await verifier(credential)).toEqual(ana);
    });
  });
});
