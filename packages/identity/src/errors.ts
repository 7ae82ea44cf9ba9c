/** A request whose credentials are missing where needed, malformed, forged or expired. */
export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
  readonly code = 'UNAUTHENTICATED';
}

/** The key set could not be fetched: the identity provider's fault, not the client's. */
export class KeySetUnavailable extends Error {
  override name = 'KeySetUnavailable';
  readonly code = 'AUTH_UNAVAILABLE';
}
