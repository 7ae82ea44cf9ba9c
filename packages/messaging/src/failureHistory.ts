/** Failed attempts that count towards the limit (transient failures do not). Written by the consumer. */
export const ATTEMPTS_HEADER = 'potluck-attempts';
/** Delayed retries so far, of any kind: drives the backoff. Written by the consumer. */
export const RETRIES_HEADER = 'potluck-retries';
export const LAST_ERROR_HEADER = 'potluck-last-error';

/**
 * Headers the broker writes (dead-lettering, quorum redeliveries) and the counters we write.
 * All arrive from whoever published, so the consumer drops them from every copy it makes and
 * writes its own: a forged `x-death` copied into the retry queue is one RabbitMQ 3.x
 * interprets when it dead-letters the copy (a non-numeric count lost the message in our tests).
 */
export const UNTRUSTED_HEADERS = [
  'x-death',
  'x-first-death-queue',
  'x-first-death-reason',
  'x-first-death-exchange',
  'x-last-death-queue',
  'x-last-death-reason',
  'x-last-death-exchange',
  'x-delivery-count',
  'x-potluck-attempts',
  ATTEMPTS_HEADER,
  RETRIES_HEADER,
  // Sender-selected distribution: on our re-publish through the default exchange the broker
  // would copy the message into every queue these name, the other service's included.
  'CC',
  'BCC',
  'cc',
  'bcc',
];

/** Counts never grow past this; at the backoff cap long before. */
const MAX_COUNT = 1_000_000;

/** How often this message failed here before the delivery in hand. */
export interface FailureHistory {
  attempts: number;
  retries: number;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? Math.min(value, MAX_COUNT) : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** The broker's count of expiries from `retryQueue` in an `x-death` header; 0 when there is none or it is garbage. */
function retryExpiries(xDeath: unknown, retryQueue: string): number {
  if (!Array.isArray(xDeath)) return 0;
  let expiries = 0;
  for (const entry of xDeath) {
    if (isRecord(entry) && entry.queue === retryQueue && entry.reason === 'expired') {
      expiries = Math.max(expiries, count(entry.count));
    }
  }
  return expiries;
}

/**
 * Reads the failure history from headers anyone can set: wrong types, negatives, fractions
 * and absurd sizes count as nothing, so the worst a forger gets is their own message
 * parked early.
 *
 * Why our own counters and not only the broker's `x-death` count: RabbitMQ up to 3.13
 * interprets an `x-death` header a client re-publishes and increments its count on the
 * next dead-lettering, but 4.x no longer interprets client-set `x-death` (it writes a
 * fresh record, so the count stays at 1 after every re-publish). The consumer re-publishes
 * to the retry queue with the broker's headers dropped, so on both versions each return
 * from the retry queue carries one broker-written record `{queue: retry, reason: expired}`.
 * That record is the gate: our counters are believed only on a delivery that has it, so a
 * message published straight to the exchange always starts at zero. Quorum queues'
 * `x-delivery-count` (redeliveries after a crash or a lost channel) is left to the broker's
 * own `x-delivery-limit`, which parks crash loops without our help.
 */
export function failureHistory(headers: unknown, retryQueue: string): FailureHistory {
  if (!isRecord(headers)) return { attempts: 0, retries: 0 };
  const expiries = retryExpiries(headers['x-death'], retryQueue);
  if (expiries === 0) return { attempts: 0, retries: 0 };
  const retries = Math.max(expiries, count(headers[RETRIES_HEADER]));
  return { attempts: Math.min(count(headers[ATTEMPTS_HEADER]), retries), retries };
}

/** A parked message's attempt count for display: a positive whole number or nothing. */
export function parkedAttempts(headers: Record<string, unknown>): number | undefined {
  return count(headers[ATTEMPTS_HEADER]) || count(headers['x-potluck-attempts']) || undefined;
}
