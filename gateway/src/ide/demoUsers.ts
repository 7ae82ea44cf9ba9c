import { DEMO_USERS, signDevToken, type DevAuth } from '@potluck/identity';

/** A user a person can pick in the IDE, with a token the gateway accepts for them. */
export interface IdeDemoUser {
  user: string;
  name: string;
  roles: readonly string[];
  token: string;
}

/** The demo users with tokens valid now; asked for on each page view. */
export type IdeDemoUsers = () => Promise<readonly IdeDemoUser[]>;

/** What decides whether and how to sign demo users: the gateway's token settings (`userAuthOf`). */
export interface DemoUserAuth {
  settings: { issuer: string; audience: string };
  /** Set only when the gateway trusts the development key. */
  dev?: DevAuth | undefined;
}

/** Tokens live 12 hours (signDevToken's default); a page gets ones signed at most an hour ago. */
const RESIGN_AFTER_MS = 3600_000;

/**
 * The IDE's demo users (ana, joe, mo the moderator) when the gateway trusts the development
 * key, signed for the issuer and audience it checks; undefined otherwise, so a gateway behind
 * a real identity provider has no token to serve. Signing again every hour means a page
 * opened on a gateway that has run for days still gets valid tokens.
 */
export function demoUsersOf(auth: DemoUserAuth, clock: () => number = Date.now): IdeDemoUsers | undefined {
  const { dev, settings } = auth;
  if (!dev) return undefined;
  const sign = () =>
    Promise.all(
      DEMO_USERS.map(async ({ user, name, roles }) => ({
        user,
        name,
        roles,
        token: await signDevToken(dev, { user, name, roles, issuer: settings.issuer, audience: settings.audience }),
      })),
    );
  let signed: { at: number; users: Promise<IdeDemoUser[]> } | undefined;
  return () => {
    const now = clock();
    if (!signed || now - signed.at >= RESIGN_AFTER_MS) {
      const users = sign();
      signed = { at: now, users };
      users.catch(() => {
        if (signed?.users === users) signed = undefined;
      });
    }
    return signed.users;
  };
}
