import type { ValidEvent } from './contract/index.js';
import type { FailureKind } from './classify.js';

/**
 * Why the consumer parked a message: its own checks before a handler runs, then the failure
 * policy's two verdicts (`poison`, and `max-attempts` for an unknown error that kept failing).
 * The `x-parked-reason` header says the same in words (`failed 5 times`).
 */
export type ParkReason =
  | 'untrusted-publisher'
  | 'too-large'
  | 'malformed-json'
  | 'unknown-type'
  | 'contract-violation'
  | 'poison'
  | 'max-attempts';

export const PARK_REASONS: readonly ParkReason[] = [
  'untrusted-publisher',
  'too-large',
  'malformed-json',
  'unknown-type',
  'contract-violation',
  'poison',
  'max-attempts',
];

/**
 * What the relay and the consumer report as they work, for metrics: messaging stays free of
 * any metrics library, the service decides what to count. Called once per message on the
 * event path, so an implementation must be cheap and must not throw. A `type` the relay or a
 * delivery names is whatever the publisher wrote: bound it before using it as a label.
 */
export interface MessagingObserver {
  /** The broker confirmed an outbox row's event (a row republished after a crash counts again). */
  published(type: string): void;
  /** A publish failed; the row is retried later. `unroutable`: no queue took it. */
  publishFailed(type: string, unroutable: boolean): void;
  /** The event's transaction committed: `applied` by its handler, or a `duplicate` skipped by the inbox. */
  consumed(event: ValidEvent, outcome: 'applied' | 'duplicate'): void;
  /** A failed message went to the retry queue. */
  retried(type: string, kind: FailureKind): void;
  /** A message went to the parking queue. `type` is the delivery's claimed type when it was never validated. */
  parked(type: unknown, reason: ParkReason): void;
}

/** The observer when nobody watches. */
export const SILENT_OBSERVER: MessagingObserver = Object.freeze({
  published: () => undefined,
  publishFailed: () => undefined,
  consumed: () => undefined,
  retried: () => undefined,
  parked: () => undefined,
});
