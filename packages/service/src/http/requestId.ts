import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CORRELATION_ID_MAX_LENGTH } from '@potluck/messaging';

/** The header that carries a request's id from the client through the gateway to every subgraph. */
export const REQUEST_ID_HEADER = 'x-request-id';

// Events carry the request id as their correlation id, so the two bounds are one.
const ACCEPTABLE = new RegExp(`^[\\w.:-]{1,${CORRELATION_ID_MAX_LENGTH}}$`);

/**
 * A caller's id when it is safe to log and forward (letters, digits, `_ . : -`, at most
 * 128 characters), otherwise a fresh UUID, so a client cannot inject log lines or headers.
 */
export function acceptRequestId(incoming: string | string[] | undefined, generate: () => string = randomUUID): string {
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return value !== undefined && ACCEPTABLE.test(value) ? value : generate();
}

/**
 * Decides a request's id once, at the door: it replaces the incoming header (so every later
 * reader, such as Apollo plugins and the gateway's context, sees the same id) and is
 * echoed on the response.
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const requestId = acceptRequestId(req.headers[REQUEST_ID_HEADER]);
  req.headers[REQUEST_ID_HEADER] = requestId;
  res.setHeader(REQUEST_ID_HEADER, requestId);
  return requestId;
}

/** The id `assignRequestId` gave this request. */
export function requestIdOf(req: IncomingMessage): string {
  const value = req.headers[REQUEST_ID_HEADER];
  return (Array.isArray(value) ? value[0] : value) ?? 'unknown';
}
