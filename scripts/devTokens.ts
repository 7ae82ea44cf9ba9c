import { z } from 'zod';
import { DEV_AUDIENCE, DEV_ISSUER, devAuth, signDevToken, type DevTokenRequest } from '@potluck/identity';
import { ConfigError, envVar, userAuthEnv } from '@potluck/service';

/**
 * The variables that decide whether the gateway of this environment trusts the development
 * key, and the issuer and audience it then expects: read as the gateway reads them
 * (`userAuthOf` in @potluck/service), so a token signed here is one `npm start` accepts.
 */
export const devTokenEnv = {
  POTLUCK_MODE: envVar.mode(),
  AUTH_JWKS_URL: userAuthEnv.AUTH_JWKS_URL,
  AUTH_ISSUER: userAuthEnv.AUTH_ISSUER,
  AUTH_AUDIENCE: userAuthEnv.AUTH_AUDIENCE,
  AUTH_DEV_FILE: userAuthEnv.AUTH_DEV_FILE,
};

export interface DevTokenConfig {
  POTLUCK_MODE: 'development' | 'production';
  AUTH_JWKS_URL?: string | undefined;
  AUTH_ISSUER?: string | undefined;
  AUTH_AUDIENCE?: string | undefined;
  AUTH_DEV_FILE?: string | undefined;
}

export type SignToken = (request: Omit<DevTokenRequest, 'issuer' | 'audience'>) => Promise<string>;

/** Why the gateway of this environment would refuse development tokens; undefined when it trusts them. */
export function devTokenRefusal(config: DevTokenConfig): string | undefined {
  if (config.AUTH_JWKS_URL) {
    return 'AUTH_JWKS_URL is set (the gateway trusts that identity provider, not the development key)';
  }
  if (config.POTLUCK_MODE === 'production') {
    return 'POTLUCK_MODE is production (which never trusts the development key)';
  }
  return undefined;
}

/** Signs user tokens with the checkout's development key (AUTH_DEV_FILE), for the issuer and audience the gateway expects. */
export function devTokenSigner(config: DevTokenConfig): SignToken {
  const refusal = devTokenRefusal(config);
  if (refusal) throw new ConfigError([`no development token when ${refusal}: get one from your identity provider`]);
  const dev = devAuth(config.AUTH_DEV_FILE);
  const issuer = config.AUTH_ISSUER ?? DEV_ISSUER;
  const audience = config.AUTH_AUDIENCE ?? DEV_AUDIENCE;
  return (request) => signDevToken(dev, { ...request, issuer, audience });
}

export const devTokenEnvSchema = z.object(devTokenEnv);
