import { describe, expect, it } from 'vitest';
import { ConfigError } from '@potluck/service';
import { loadSeedConfig } from '../seedConfig.js';

describe('npm run seed configuration', () => {
  it('signs in demo users with the development key by default, as the gateway of `npm start` expects', () => {
    expect(loadSeedConfig({})).toMatchObject({
      GATEWAY_URL: 'http://localhost:4000/graphql',
      POTLUCK_MODE: 'development',
    });
    expect(loadSeedConfig({}).SEED_TOKEN).toBeUndefined();
  });

  it('requires SEED_TOKEN where the gateway trusts a real identity provider, and takes it as the token alone', () => {
    for (const env of [{ POTLUCK_MODE: 'production' }, { AUTH_JWKS_URL: 'https://id.example.com/jwks.json' }]) {
      expect(() => loadSeedConfig(env)).toThrow(ConfigError);
      expect(() => loadSeedConfig(env)).toThrow(/SEED_TOKEN is required when/);
      expect(loadSeedConfig({ ...env, SEED_TOKEN: 'aaa.bbb.ccc' }).SEED_TOKEN).toBe('aaa.bbb.ccc');
    }
    expect(() => loadSeedConfig({ SEED_TOKEN: 'Bearer aaa.bbb.ccc' })).toThrow(/without "Bearer "/);
  });
});
