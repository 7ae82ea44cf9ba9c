/**
 * When a bearer token the verifier has already accepted expires: its `exp`, in epoch ms.
 * Read by hand (a base64url JSON segment) because the verifier (jose's `jwtVerify`, which
 * checked the signature and that `exp` is a number) returns only the user, and this one claim
 * is not worth a second dependency on jose here. Anything unreadable counts as expired now.
 */
export function tokenExpiry(authorization: string | undefined): number {
  const token = /^Bearer +([A-Za-z0-9\-_.]+)$/i.exec(authorization?.trim() ?? '')?.[1];
  const claims = token?.split('.')[1];
  if (!claims) return 0;
  try {
    const { exp } = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : 0;
  } catch {
    return 0;
  }
}
