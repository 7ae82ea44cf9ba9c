import { ContractViolation } from '@potluck/events';

/** A handler error that retrying cannot fix: a broken invariant, not a hiccup. */
export class PoisonMessage extends Error {
  override name = 'PoisonMessage';
}

export type FailureKind = 'retry' | 'poison';

/**
 * Decides what a failed message deserves. Contract violations and declared poison are
 * parked at once; everything else (connection loss, serialization failures, timeouts,
 * and errors nobody anticipated) is retried with delay and parked only after the
 * attempt limit, so an unknown bug costs a delay, never a lost or looping message.
 */
export function classify(error: unknown): FailureKind {
  if (error instanceof ContractViolation || error instanceof PoisonMessage) return 'poison';
  return 'retry';
}

/** The delay before attempt `attempt` (1-based) is retried: doubling, capped. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs = 60_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/** Whether a message that has failed `attempts` times should be parked instead of retried. */
export function shouldPark(kind: FailureKind, attempts: number, maxAttempts: number): boolean {
  return kind === 'poison' || attempts >= maxAttempts;
}
