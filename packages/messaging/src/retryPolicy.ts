import type { FailureKind } from './classify.js';
import type { FailureHistory } from './failureHistory.js';

export interface RetryLimits {
  /** Failed attempts of the `unknown` kind after which a message is parked. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** What to do with a message whose handling just failed, and the counts to carry forward. */
export type FailureDecision =
  | { action: 'park'; reason: string; attempts: number }
  | { action: 'retry'; attempts: number; retries: number; delayMs: number };

/**
 * The delay before retry number `retry` (1-based): doubling from `baseMs`, capped at
 * `maxMs`, and always a whole number of milliseconds of at least 1, whatever it is given,
 * because the broker closes the channel on an expiration that is not one.
 */
export function retryDelayMs(retry: number, baseMs: number, maxMs = 60_000): number {
  const exponent = Number.isFinite(retry) ? Math.min(40, Math.max(0, Math.floor(retry) - 1)) : 0;
  const delay = Math.min(maxMs, baseMs * 2 ** exponent);
  return Number.isFinite(delay) ? Math.max(1, Math.round(delay)) : 1000;
}

/**
 * Poison is parked at once; a transient failure is retried for as long as it lasts and
 * does not use up attempts; an unknown error is retried until it has failed
 * `maxAttempts` times, then parked.
 */
export function decideFailure(kind: FailureKind, history: FailureHistory, limits: RetryLimits): FailureDecision {
  const attempts = history.attempts + (kind === 'transient' ? 0 : 1);
  if (kind === 'poison') return { action: 'park', reason: 'poison', attempts };
  if (kind === 'unknown' && attempts >= limits.maxAttempts) {
    return { action: 'park', reason: `failed ${attempts} times`, attempts };
  }
  const retries = history.retries + 1;
  return { action: 'retry', attempts, retries, delayMs: retryDelayMs(retries, limits.baseDelayMs, limits.maxDelayMs) };
}
