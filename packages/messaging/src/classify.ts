import { ContractViolation } from './contract/index.js';

/** A handler error that retrying cannot fix: a broken invariant, not a hiccup. */
export class PoisonMessage extends Error {
  override name = 'PoisonMessage';
}

/**
 * - `transient`: the database or network is away or busy; retried with delay for as long as it lasts.
 * - `poison`: the message itself can never succeed; parked at once.
 * - `unknown`: nobody anticipated it (a bug); retried up to the attempt limit, then parked.
 */
export type FailureKind = 'transient' | 'poison' | 'unknown';

/** SQLSTATE codes (besides class 08, connection exceptions) that say "try again later". */
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03', '57014', '57P01', '57P02', '57P03', '53300']);
const TRANSIENT_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2034']);
/** What `@prisma/adapter-pg` puts in `meta.driverAdapterError.cause.kind` for socket and conflict errors. */
const TRANSIENT_ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TransactionWriteConflict',
  'TooManyConnections',
]);
const TRANSIENT_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);
/**
 * node-postgres reports a dropped or stalled connection with a bare message and no code, and
 * the Prisma adapter passes that error through unchanged; Prisma's P2028 covers both "no
 * connection in time" (transient) and "the transaction outlived its timeout" (maybe a slow
 * handler), so only the first is matched.
 */
const TRANSIENT_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error/,
  /Unable to start a transaction in the given time/,
];

function isTransientCode(code: string): boolean {
  return (
    code.startsWith('08') ||
    TRANSIENT_SQLSTATES.has(code) ||
    TRANSIENT_PRISMA_CODES.has(code) ||
    TRANSIENT_ADAPTER_KINDS.has(code) ||
    TRANSIENT_SOCKET_CODES.has(code)
  );
}

/** The error and what it wraps: `cause`, Prisma's `meta.driverAdapterError`, an AggregateError's `errors`. */
function* errorGraph(error: unknown): Generator<Record<string, unknown>> {
  const seen = new Set<unknown>();
  const pending = [error];
  while (pending.length > 0 && seen.size < 32) {
    const current = pending.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const fields = current as Record<string, unknown>;
    yield fields;
    const meta = fields.meta as Record<string, unknown> | undefined;
    pending.push(fields.cause, meta?.driverAdapterError);
    if (Array.isArray(fields.errors)) pending.push(...(fields.errors as unknown[]));
  }
}

function isTransient(error: unknown): boolean {
  for (const fields of errorGraph(error)) {
    const codes = [fields.code, fields.originalCode, fields.kind].filter((code) => typeof code === 'string');
    if (codes.some(isTransientCode)) return true;
    const { message } = fields;
    if (typeof message === 'string' && TRANSIENT_MESSAGES.some((pattern) => pattern.test(message))) return true;
  }
  return false;
}

/**
 * Decides what a failed message deserves. Contract violations and declared poison are
 * parked at once; an unreachable, restarting or contended database is transient and is
 * never a reason to park; anything else is an unknown error, retried a few times.
 */
export function classify(error: unknown): FailureKind {
  if (error instanceof ContractViolation || error instanceof PoisonMessage) return 'poison';
  return isTransient(error) ? 'transient' : 'unknown';
}
