import type { RequestHandler, Response } from 'express';
import { Counter, Gauge, type Registry } from 'prom-client';

/** How many `/graphql` requests one process runs at once, and how long the rest may wait their turn. */
export interface AdmissionLimits {
  /** Requests executing at once, from their body being read to their answer's last byte. */
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

export type ShedReason = 'queue_full' | 'queue_timeout';

const SHED_MESSAGES: Record<ShedReason, (limits: AdmissionLimits) => string> = {
  queue_full: (limits) =>
    `The server is busy: ${limits.maxInFlight} requests are running and ${limits.maxQueued} waiting; try again in ${BUSY_RETRY_AFTER_S} s`,
  queue_timeout: (limits) =>
    `The server is busy: the request waited ${limits.queueTimeoutMs} ms for its turn; try again in ${BUSY_RETRY_AFTER_S} s`,
};

interface AdmissionMetrics {
  shed(reason: ShedReason): void;
}

function admissionMetrics(registry: Registry, state: () => { running: number; waiting: number }): AdmissionMetrics {
  new Gauge({
    name: 'potluck_graphql_requests_in_flight',
    help: 'GraphQL requests executing now (admitted and not yet answered)',
    registers: [registry],
    collect() {
      this.set(state().running);
    },
  });
  new Gauge({
    name: 'potluck_graphql_requests_queued',
    help: 'GraphQL requests waiting for a turn to execute',
    registers: [registry],
    collect() {
      this.set(state().waiting);
    },
  });
  const shed = new Counter({
    name: 'potluck_graphql_requests_shed_total',
    help: 'GraphQL requests refused with 503 SERVER_BUSY, by reason (queue_full: too many waiting; queue_timeout: waited too long)',
    labelNames: ['reason'],
    registers: [registry],
  });
  const byReason = { queue_full: shed.labels('queue_full'), queue_timeout: shed.labels('queue_timeout') };
  byReason.queue_full.inc(0);
  byReason.queue_timeout.inc(0);
  return { shed: (reason) => byReason[reason].inc() };
}

/**
 * Past every deadline inside a request (the gateway's subgraph calls: 5 s by default), so it
 * only matters for a handler that never ends a response its client left.
 */
const ABANDONED_TURN_LIMIT_MS = 30_000;

/**
 * A client left before its answer, but Node does not stop the work it asked for: the turn is
 * held until the handler ends the response (Apollo Server does, even on a closed socket), or
 * for at most `ABANDONED_TURN_LIMIT_MS`, so closing connections cannot start work beyond the limit.
 */
function holdUntilAnswered(res: Response, release: () => void): void {
  const fallback = setTimeout(release, ABANDONED_TURN_LIMIT_MS).unref();
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.end = ((...args: unknown[]) => {
    clearTimeout(fallback);
    release();
    return end(...args);
  }) as Response['end'];
}

/** One request's place: waiting for a turn, holding one, or finished with the limiter. */
interface Ticket {
  state: 'waiting' | 'running' | 'done';
  admit(): void;
  timer?: NodeJS.Timeout;
}

function refuse(res: Response, reason: ShedReason, limits: AdmissionLimits): void {
  res
    .status(503)
    .set('Retry-After', String(BUSY_RETRY_AFTER_S))
    .json({
      errors: [
        {
          message: SHED_MESSAGES[reason](limits),
          extensions: { code: 'SERVER_BUSY', reason, retryAfter: BUSY_RETRY_AFTER_S },
        },
      ],
    });
}

/**
 * Express middleware that lets at most `maxInFlight` requests past it at once. The rest wait
 * in arrival order, their bodies unread, for at most `queueTimeoutMs`; past `maxQueued`
 * waiting, or past the deadline, a request is answered 503 `SERVER_BUSY` with `Retry-After`
 * and never executed. A turn is held until the answer is written (when its client left first,
 * until the work it asked for ends), and a client that leaves while waiting gives up its place.
 *
 * Written here rather than with p-limit or p-queue: a turn must last until the response is
 * done with (express middleware has no promise for a queue to await), and a waiting request
 * must leave the line the moment its client does.
 */
export function admissionControl(limits: AdmissionLimits, registry?: Registry): RequestHandler {
  let running = 0;
  const line = new Set<Ticket>();
  const metrics = registry && admissionMetrics(registry, () => ({ running, waiting: line.size }));

  function admitNext(): void {
    while (running < limits.maxInFlight && line.size > 0) {
      const next = line.values().next().value as Ticket;
      leaveLine(next);
      next.state = 'running';
      running++;
      next.admit();
    }
  }

  function leaveLine(ticket: Ticket): void {
    line.delete(ticket);
    clearTimeout(ticket.timer);
    ticket.state = 'done';
  }

  function release(ticket: Ticket): void {
    if (ticket.state !== 'running') return;
    ticket.state = 'done';
    running--;
    admitNext();
  }

  return (_req, res, next) => {
    const ticket: Ticket = { state: 'waiting', admit: () => next() };
    res.once('close', () => {
      if (ticket.state === 'waiting') leaveLine(ticket);
      else if (ticket.state === 'running') {
        if (res.writableEnded) release(ticket);
        else holdUntilAnswered(res, () => release(ticket));
      }
    });
    if (running < limits.maxInFlight) {
      ticket.state = 'running';
      running++;
      next();
      return;
    }
    if (line.size >= limits.maxQueued) {
      ticket.state = 'done';
      metrics?.shed('queue_full');
      refuse(res, 'queue_full', limits);
      return;
    }
    ticket.timer = setTimeout(() => {
      leaveLine(ticket);
      metrics?.shed('queue_timeout');
      refuse(res, 'queue_timeout', limits);
    }, limits.queueTimeoutMs);
    line.add(ticket);
  };
}
