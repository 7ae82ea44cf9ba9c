/** Why a subscription ended, with a code the client can act on (resume with `cursor`, or not). */
export class SubscriptionEnded extends Error {
  override name = 'SubscriptionEnded';
  constructor(
    readonly code: string,
    message: string,
    /** Whether subscribing again with the last cursor received (or the same `after`) continues without a gap. */
    readonly resumable = false,
    /** More for the client, beside `code` and `cursor` (e.g. when a token expired). */
    readonly extensions: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export function cursorExpired(): SubscriptionEnded {
  return new SubscriptionEnded(
    'CURSOR_EXPIRED',
    'after: the events after this cursor are no longer kept (older than the stream retention); subscribe again without after',
  );
}

export function streamUnavailable(reason: string): SubscriptionEnded {
  return new SubscriptionEnded(
    'STREAM_UNAVAILABLE',
    `The event stream could not be read (${reason}); subscribe again with after set to the last cursor you received`,
    true,
  );
}

/** The resumable ending of a subscription whose viewer's token expired. */
export function tokenExpired(expiresAt: number): SubscriptionEnded {
  const expiredAt = new Date(expiresAt).toISOString();
  return new SubscriptionEnded(
    'TOKEN_EXPIRED',
    `The token expired at ${expiredAt}; subscribe again with a fresh token, with after set to the last cursor you received`,
    true,
    { expiredAt },
  );
}
