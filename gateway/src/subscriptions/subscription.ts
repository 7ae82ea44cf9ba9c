import type { Viewer } from '@potluck/identity';
import type { Logger } from '@potluck/service';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { encodeCursor } from './cursor.js';
import { SubscriptionEnded, tokenExpired } from './ended.js';
import type { Subscriber, SubscriptionHub } from './hub.js';
import { PayloadUnavailable, sizeOf, type Payloads } from './payloads.js';
import type { PreparedSubscription } from './prepare.js';
import type { EventEntry } from './streamReader.js';

type Outcome =
  | { kind: 'result'; result: ExecutionResult; cursor: string; bytes: number; occurredAt: string | undefined }
  | { kind: 'skip' }
  | { kind: 'end'; reason: SubscriptionEnded };

/** Delays before each retry of a payload whose entity could not be fetched; then the subscription ends (resumable). */
const RETRY_DELAYS_MS = [200, 1000, 3000];
/** Live events waiting for one subscriber (resolving or resolved, not sent); past this the client is too slow. */
const MAX_PENDING = 1000;
/** A backlog is read only while its subscriber has fewer events than this waiting. */
const CATCH_UP_WINDOW = 50;
/** A client that has not taken the last result after this long (its connection is full) is dropped. */
const STALL_MS = 30_000;

export interface SubscriptionOptions {
  hub: SubscriptionHub;
  payloads: Payloads;
  prepared: PreparedSubscription;
  viewer: Viewer;
  logger: Logger;
  /** Bytes written to the client's connection it has not read yet. */
  unsent(): number;
  /** The bound on those plus the payloads resolved for it and not sent yet. */
  maxUnsentBytes: number;
  /** Cuts the client's connection, which does not read what it is sent. */
  drop(): void;
  /** When the viewer's token expires (epoch ms): the subscription ends then with TOKEN_EXPIRED. */
  expiresAt?: number;
  /** Told of each result handed out (the event's `occurredAt` when it was live) and of the ending. */
  observer?: SubscriptionObserver;
}

export interface SubscriptionObserver {
  delivered(occurredAt: string | undefined): void;
  ended(reason: SubscriptionEnded): void;
}

/** The error a subscription ends with: its code, and the cursor to resume after when resuming can work. */
export function endedError(reason: SubscriptionEnded, cursor: string | undefined): GraphQLError {
  return new GraphQLError(reason.message, {
    originalError: reason,
    extensions: { ...reason.extensions, code: reason.code, ...(reason.resumable && cursor && { cursor }) },
  });
}

/** The code a subscription ends with when the gateway stops: it completes instead of failing. */
export const SHUTTING_DOWN = 'SHUTTING_DOWN';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The longest delay `setTimeout` takes; a later time is reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Runs `action` at `time` (epoch ms), however far ahead; the returned function cancels it. */
function at(time: number, action: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const delay = time - Date.now();
    if (delay <= 0) return action();
    timer = setTimeout(arm, Math.min(delay, MAX_TIMER_MS)).unref();
  };
  arm();
  return () => clearTimeout(timer);
}

/**
 * One subscriber's results, in stream order: each matching event's payload is resolved as
 * soon as it arrives (concurrently with earlier ones) and handed out in order. A payload whose
 * entity is gone is skipped; one that cannot be fetched is retried, then ends the subscription
 * with a resumable error.
 *
 * Its send buffer is bounded: live events that pile up for a client that does not read (more
 * than `maxUnsentBytes` resolved and unsent, or `MAX_PENDING` events, or one result not taken
 * for `STALL_MS`) drop its connection. A backlog is read at the client's pace instead.
 */
export function openSubscription(options: SubscriptionOptions): AsyncIterableIterator<ExecutionResult> {
  const { prepared, viewer, logger } = options;
  const pending: Array<Promise<Outcome>> = [];
  let pendingBytes = 0;
  let wake: (() => void) | undefined;
  const drained: Array<() => void> = [];
  let stall: NodeJS.Timeout | undefined;
  let closed = false;
  let ending = false;
  let lastCursor = prepared.after && encodeCursor(prepared.after);
  const push = (outcome: Promise<Outcome>) => {
    pending.push(outcome);
    wake?.();
  };

  const end = (reason: SubscriptionEnded) => {
    if (ending) return;
    ending = true;
    options.observer?.ended(reason);
    push(Promise.resolve({ kind: 'end', reason }));
  };
  const { expiresAt } = options;
  const expiry = expiresAt === undefined ? undefined : at(expiresAt, () => end(tokenExpired(expiresAt)));
  const tooSlow = () => pending.length >= MAX_PENDING || pendingBytes + options.unsent() > options.maxUnsentBytes;
  const dropSlowClient = () => {
    if (ending) return;
    logger.warn(
      { pending: pending.length, pendingBytes, unsent: options.unsent() },
      'dropping a subscriber that does not read',
    );
    end(new SubscriptionEnded('SLOW_CONSUMER', 'The client did not read its events fast enough', true));
    options.drop();
  };

  async function resolve(entry: EventEntry, live: boolean): Promise<Outcome> {
    for (let attempt = 0; ; attempt++) {
      try {
        const resolution = await options.payloads(prepared, entry, viewer);
        if (resolution.kind === 'gone') return { kind: 'skip' };
        const bytes = sizeOf(resolution.result);
        pendingBytes += bytes;
        if (live && tooSlow()) dropSlowClient();
        const cursor = encodeCursor({ offset: entry.offset, eventId: entry.event.id });
        return {
          kind: 'result',
          result: resolution.result,
          cursor,
          bytes,
          occurredAt: live ? entry.event.occurredAt : undefined,
        };
      } catch (error) {
        const delay = RETRY_DELAYS_MS[attempt];
        if (!(error instanceof PayloadUnavailable)) {
          logger.error({ err: error, offset: entry.offset }, 'could not resolve a subscription payload');
          return { kind: 'end', reason: new SubscriptionEnded('INTERNAL_SERVER_ERROR', 'Internal server error', true) };
        }
        if (delay === undefined || closed) {
          return { kind: 'end', reason: new SubscriptionEnded(error.code, error.message, true) };
        }
        await sleep(delay);
      }
    }
  }

  const subscriber: Subscriber = {
    filter: prepared.filter,
    after: prepared.after,
    deliver(entry, { catchingUp }) {
      if (ending) return;
      if (!catchingUp && tooSlow()) return dropSlowClient();
      push(resolve(entry, !catchingUp));
    },
    ready() {
      if (pending.length < CATCH_UP_WINDOW || ending) return undefined;
      return new Promise<void>((resolve) => drained.push(resolve));
    },
    end,
  };
  const removal = options.hub.add(subscriber).catch((error: unknown) => {
    end(
      error instanceof SubscriptionEnded
        ? error
        : new SubscriptionEnded('INTERNAL_SERVER_ERROR', 'Internal server error'),
    );
    return async () => undefined;
  });

  const close = async () => {
    closed = true;
    clearTimeout(stall);
    expiry?.();
    wake?.();
    for (const resolve of drained.splice(0)) resolve();
    await (
      await removal
    )();
  };
  const taken = () => {
    if (pending.length < CATCH_UP_WINDOW / 2) for (const resolve of drained.splice(0)) resolve();
  };
  const done = { value: undefined, done: true } as const;

  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next(): Promise<IteratorResult<ExecutionResult>> {
      clearTimeout(stall);
      for (;;) {
        if (closed) return done;
        if (pending.length === 0) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        const outcome = await pending[0]!;
        pending.shift();
        taken();
        if (closed) return done;
        if (outcome.kind === 'skip') continue;
        if (outcome.kind === 'end') {
          options.observer?.ended(outcome.reason);
          await close();
          // A shutdown is a clean end: the transport sends `complete`, and the client resumes elsewhere with its cursor.
          if (outcome.reason.code === SHUTTING_DOWN) return done;
          throw endedError(outcome.reason, lastCursor);
        }
        pendingBytes -= outcome.bytes;
        lastCursor = outcome.cursor;
        options.observer?.delivered(outcome.occurredAt);
        stall = setTimeout(dropSlowClient, STALL_MS).unref();
        return { value: outcome.result, done: false };
      }
    },
    async return(): Promise<IteratorResult<ExecutionResult>> {
      await close();
      return done;
    },
  };
}
