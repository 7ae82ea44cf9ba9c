import type { IncomingMessage } from 'node:http';
import type { RequestHandler, Response } from 'express';
import { Counter, Gauge, type Registry } from 'prom-client';
import { requestFacts } from './requestLog.js';

/** How many `/graphql` requests one process runs at once, and how long the rest may wait their turn. */
export interface AdmissionLimits {
  /** Requests executing at once, from their body being parsed to their answer being written. */
  maxInFlight: number;
  /** Requests waiting for a turn at once; one more is refused at once. 0: none wait. */
  maxQueued: number;
  /** A request still waiting after this long is refused. */
  queueTimeoutMs: number;
}

export const DEFAULT_ADMISSION_LIMITS: Readonly<AdmissionLimits> = Object.freeze({
  maxInFlight: 64,
  maxQueued: 512,
  queueTimeoutMs: 10_000,
});

/** What a refused client is told to wait before trying again, in seconds (`Retry-After`). */
export const BUSY_RETRY_AFTER_S = 1;

/** Why a request was refused: the line was full, it waited too long, or the process is stopping. */
export type ShedReason = 'queue_full' | 'queue_timeout' | 'shutting_down';

/** The code of a request refused for want of a turn: it ran nothing and may be sent again. */
export const SERVER_BUSY = 'SERVER_BUSY';

/** What a request got from the line: a turn, a refusal, or nothing because its client left. */
export type Turn = 'admitted' | 'gone' | ShedReason;

/** How the line watches one request's client: whether it is gone now, and a call when it leaves. */
export interface Client {
  gone(): boolean;
  /** Calls `left` once the client leaves; the returned function stops watching. */
  onLeave(left: () => void): () => void;
}

interface Waiter {
  client: Client;
  settle(turn: Turn): void;
}

export interface AdmissionLine {
  /** Resolves once the request may run (`admitted`: call `release` after), is refused, or its client left. */
  take(client: Client): Promise<Turn>;
  release(): void;
  /** Refuses everyone waiting and every later request with `shutting_down`; turns out run to their end. */
  close(): void;
  readonly running: number;
  readonly waiting: number;
}

/**
 * At most `maxInFlight` turns out at once; the rest wait in arrival order. A waiter whose client
 * is gone when its turn comes is passed over: its client may have closed its side an event-loop
 * turn or more before the close reached the line.
 */
export function createAdmissionLine(limits: AdmissionLimits): AdmissionLine {
  let running = 0;
  let closed = false;
  const waiting = new Set<Waiter>();

  function admitNext(): void {
    while (running < limits.maxInFlight && waiting.size > 0) {
      const first = waiting.values().next().value as Waiter;
      waiting.delete(first);
      if (first.client.gone()) {
        first.settle('gone');
        continue;
      }
      running++;
      first.settle('admitted');
    }
  }

  return {
    get running() {
      return running;
    },
    get waiting() {
      return waiting.size;
    },
    take(client) {
      if (client.gone()) return Promise.resolve('gone');
      if (closed) return Promise.resolve('shutting_down');
      if (running < limits.maxInFlight) {
        running++;
        return Promise.resolve('admitted');
      }
      if (waiting.size >= limits.maxQueued) return Promise.resolve('queue_full');
      return new Promise<Turn>((resolve) => {
        const waiter: Waiter = {
          client,
          settle(turn) {
            clearTimeout(deadline);
            stopWatching();
            resolve(turn);
          },
        };
        const leave = (turn: Turn) => {
          if (waiting.delete(waiter)) waiter.settle(turn);
        };
        const deadline = setTimeout(() => leave('queue_timeout'), limits.queueTimeoutMs);
        const stopWatching = client.onLeave(() => leave('gone'));
        waiting.add(waiter);
      });
    },
    release() {
      running--;
      admitNext();
    },
    close() {
      closed = true;
      for (const waiter of [...waiting]) {
        waiting.delete(waiter);
        waiter.settle('shutting_down');
      }
    },
  };
}

function admissionMetrics(registry: Registry, line: AdmissionLine): { shed(reason: ShedReason): void } {
  new Gauge({
    name: 'potluck_graphql_requests_in_flight',
    help: 'GraphQL requests executing now (admitted and not yet answered)',
    registers: [registry],
    collect() {
      this.set(line.running);
    },
  });
  new Gauge({
    name: 'potluck_graphql_requests_queued',
    help: 'GraphQL requests waiting for a turn to execute',
    registers: [registry],
    collect() {
      this.set(line.waiting);
    },
  });
  const shed = new Counter({
    name: 'potluck_graphql_requests_shed_total',
    help: 'GraphQL requests refused with 503 SERVER_BUSY, by reason (queue_full: too many waiting; queue_timeout: waited too long; shutting_down: the process is stopping)',
    labelNames: ['reason'],
    registers: [registry],
  });
  const reasons: ShedReason[] = ['queue_full', 'queue_timeout', 'shutting_down'];
  const byReason = Object.fromEntries(reasons.map((reason) => [reason, shed.labels(reason)])) as Record<
    ShedReason,
    Counter.Internal
  >;
  for (const counter of Object.values(byReason)) counter.inc(0);
  return { shed: (reason) => byReason[reason].inc() };
}

const SHED_MESSAGES: Record<ShedReason, (limits: AdmissionLimits) => string> = {
  queue_full: (limits) =>
    `The server is busy (${limits.maxInFlight} running, ${limits.maxQueued} waiting); try again in ${BUSY_RETRY_AFTER_S} s`,
  queue_timeout: (limits) =>
    `The server is busy: the request waited ${limits.queueTimeoutMs} ms for its turn; try again in ${BUSY_RETRY_AFTER_S} s`,
  shutting_down: () => `The server is shutting down; try again in ${BUSY_RETRY_AFTER_S} s`,
};

/**
 * The 503 of a request that found no turn, with its code on the request's log line. A stopping
 * process also closes the connection, so the client's next request opens one to a live replica.
 */
function refuse(req: IncomingMessage, res: Response, reason: ShedReason, limits: AdmissionLimits): void {
  const message = SHED_MESSAGES[reason](limits);
  Object.assign(requestFacts(req), { shed: true, errors: [{ code: SERVER_BUSY, message }] });
  if (reason === 'shutting_down') res.set('Connection', 'close');
  res
    .status(503)
    .set('Retry-After', String(BUSY_RETRY_AFTER_S))
    .json({ errors: [{ message, extensions: { code: SERVER_BUSY, reason, retryAfter: BUSY_RETRY_AFTER_S } }] });
}

/**
 * The client of an HTTP exchange: gone once its response closed or its socket stopped reading
 * (the client closed its side; if that came before the body was read, body-parser skipped it
 * and Apollo would answer 500 for want of one). A socket that stopped reading is one whose
 * client is gone only because Node's servers do not allow half-open connections
 * (`allowHalfOpen` false, their default, kept by `createHttpServer`).
 */
function clientOf(req: IncomingMessage, res: Response): Client {
  return {
    gone: () => res.closed || !req.socket || req.socket.destroyed || !req.socket.readable,
    onLeave(left) {
      res.once('close', left);
      return () => res.off('close', left);
    },
  };
}

export interface AdmissionControl {
  /** The handler, run only with a turn. */
  admit(handler: RequestHandler): RequestHandler;
  /** For a stop: answers the waiting requests and every later one 503 (`shutting_down`). */
  close(): void;
}

/**
 * Wraps the handler that executes GraphQL (Apollo's) so that at most `maxInFlight` run at
 * once. The rest wait in arrival order, their bodies already parsed (so a slow upload holds no
 * turn), for at most `queueTimeoutMs`; past `maxQueued` waiting, or past the deadline, a
 * request is answered 503 `SERVER_BUSY` with `Retry-After` and never executed, as is every
 * waiting and later request once `close` is called for a stop. A turn lasts
 * until the handler has written its answer or failed: not until a slow client has read it,
 * and, when the client left mid-request, until the work it asked for ends. A request whose
 * client is gone before its turn is neither run nor answered.
 *
 * Written here rather than with p-limit or p-queue: a waiting request must leave the line
 * the moment its client does, and be passed over when its client is gone by its turn.
 */
export function admissionControl(limits: AdmissionLimits, registry?: Registry): AdmissionControl {
  const line = createAdmissionLine(limits);
  const metrics = registry && admissionMetrics(registry, line);
  const admit =
    (handler: RequestHandler): RequestHandler =>
    async (req, res, next) => {
      const turn = await line.take(clientOf(req, res));
      if (turn === 'gone') return;
      if (turn !== 'admitted') {
        metrics?.shed(turn);
        refuse(req, res, turn, limits);
        return;
      }
      try {
        await handler(req, res, next);
      } finally {
        line.release();
      }
    };
  return { admit, close: () => line.close() };
}
