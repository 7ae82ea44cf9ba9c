import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  ALLOWED_USER_TOKEN_ALGORITHMS,
  DEFAULT_USER_TOKEN_ALGORITHMS,
  DEV_AUDIENCE,
  DEV_ISSUER,
  DEV_MARK,
  devAuth,
  devKeySet,
  keySetAt,
  localKeySet,
  MIN_SECRET_LENGTH,
  type DevAuth,
  type KeySet,
  type UserTokenSettings,
} from '@potluck/identity';
import { ConfigError, envVar } from './config.js';

type Mode = 'development' | 'production';

/** Where the gateway↔subgraph secret comes from; every service reads the same three variables. */
export const internalAuthEnv = {
  INTERNAL_AUTH_SECRET: z
    .string()
    .min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`)
    .optional(),
  INTERNAL_AUTH_SECRET_FILE: z.string().optional(),
  /** Development keys, created on first use; default `<repository>/.potluck/dev-auth.json`. */
  AUTH_DEV_FILE: z.string().optional(),
};

interface InternalAuthConfig {
  POTLUCK_MODE: Mode;
  INTERNAL_AUTH_SECRET?: string | undefined;
  INTERNAL_AUTH_SECRET_FILE?: string | undefined;
  AUTH_DEV_FILE?: string | undefined;
}

function secretFromFile(file: string): string {
  let secret: string;
  try {
    secret = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new ConfigError([
      `INTERNAL_AUTH_SECRET_FILE: cannot read "${file}" (${(error as NodeJS.ErrnoException).code})`,
    ]);
  }
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError([
      `INTERNAL_AUTH_SECRET_FILE: the secret in "${file}" must be at least ${MIN_SECRET_LENGTH} characters`,
    ]);
  }
  return secret;
}

/**
 * The secret that signs the gateway's credentials to the subgraphs: INTERNAL_AUTH_SECRET, or
 * the file INTERNAL_AUTH_SECRET_FILE names (a mounted secret). In development, when neither is
 * set, the checkout's development secret; production requires one and refuses a development one.
 */
export function internalAuthSecretOf(config: InternalAuthConfig): string {
  const secret =
    config.INTERNAL_AUTH_SECRET ??
    (config.INTERNAL_AUTH_SECRET_FILE && secretFromFile(config.INTERNAL_AUTH_SECRET_FILE));
  if (config.POTLUCK_MODE === 'production') {
    if (!secret)
      throw new ConfigError([
        'INTERNAL_AUTH_SECRET (or INTERNAL_AUTH_SECRET_FILE) is required when POTLUCK_MODE is production',
      ]);
    if (secret.startsWith(DEV_MARK)) {
      throw new ConfigError(['INTERNAL_AUTH_SECRET: a development secret is refused when POTLUCK_MODE is production']);
    }
  }
  return secret || devAuth(config.AUTH_DEV_FILE).internalSecret;
}

const algorithm = z.enum(ALLOWED_USER_TOKEN_ALGORITHMS, {
  message: `must be asymmetric JWS algorithms (${ALLOWED_USER_TOKEN_ALGORITHMS.join(', ')})`,
});

/** How the gateway checks client tokens (issued by a real identity provider, or the development key). */
export const userAuthEnv = {
  AUTH_JWKS_URL: envVar.url(['https', 'http', 'file']).optional(),
  AUTH_ISSUER: z.string().optional(),
  AUTH_AUDIENCE: z.string().optional(),
  AUTH_ALGORITHMS: envVar
    .list()
    .pipe(z.array(algorithm).min(1))
    .default([...DEFAULT_USER_TOKEN_ALGORITHMS] as z.infer<typeof algorithm>[]),
  AUTH_CLOCK_TOLERANCE_S: z.coerce.number().int('must be a whole number').min(0).max(300).default(30),
  AUTH_ROLES_CLAIM: z.string().min(1).default('roles'),
  ...internalAuthEnv,
};

interface UserAuthConfig extends InternalAuthConfig {
  AUTH_JWKS_URL?: string | undefined;
  AUTH_ISSUER?: string | undefined;
  AUTH_AUDIENCE?: string | undefined;
  AUTH_ALGORITHMS: readonly string[];
  AUTH_CLOCK_TOLERANCE_S: number;
  AUTH_ROLES_CLAIM: string;
}

export interface UserAuth {
  settings: UserTokenSettings;
  keys: KeySet;
  /** Set when tokens are the development key's: the IDE may then sign in demo users. */
  dev?: DevAuth;
}

/**
 * The gateway's token settings. With AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE are
 * required (a real identity provider). Without it, development trusts the checkout's
 * development key; production refuses to start.
 */
export function userAuthOf(config: UserAuthConfig): UserAuth {
  const common = {
    algorithms: config.AUTH_ALGORITHMS,
    clockToleranceSeconds: config.AUTH_CLOCK_TOLERANCE_S,
    rolesClaim: config.AUTH_ROLES_CLAIM,
  };
  if (config.AUTH_JWKS_URL) {
    const missing = (['AUTH_ISSUER', 'AUTH_AUDIENCE'] as const).filter((name) => !config[name]);
    if (missing.length > 0) throw new ConfigError(missing.map((name) => `${name} is required with AUTH_JWKS_URL`));
    if (config.POTLUCK_MODE === 'production' && new URL(config.AUTH_JWKS_URL).protocol === 'http:') {
      throw new ConfigError([
        'AUTH_JWKS_URL: a key set over plain http is refused when POTLUCK_MODE is production (use https: or file:)',
      ]);
    }
    if (config.POTLUCK_MODE === 'production' && config.AUTH_ISSUER === DEV_ISSUER) {
      throw new ConfigError([
        `AUTH_ISSUER: the development issuer "${DEV_ISSUER}" is refused when POTLUCK_MODE is production`,
      ]);
    }
    const settings = {
      ...common,
      jwksUrl: config.AUTH_JWKS_URL,
      issuer: config.AUTH_ISSUER!,
      audience: config.AUTH_AUDIENCE!,
    };
    return { settings, keys: keySetAt(settings.jwksUrl) };
  }
  if (config.POTLUCK_MODE === 'production') {
    throw new ConfigError([
      'AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE are required when POTLUCK_MODE is production',
    ]);
  }
  const dev = devAuth(config.AUTH_DEV_FILE);
  const settings = {
    ...common,
    jwksUrl: `file://${dev.file}`,
    issuer: config.AUTH_ISSUER ?? DEV_ISSUER,
    audience: config.AUTH_AUDIENCE ?? DEV_AUDIENCE,
  };
  return { settings, keys: localKeySet(devKeySet(dev)), dev };
}
